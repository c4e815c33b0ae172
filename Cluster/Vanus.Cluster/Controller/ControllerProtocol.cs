using Akka.Actor;
using MessagePack;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Serialization;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

/// <summary>An answer of the controller to a catalog change: it carries the catalog after the change.</summary>
internal interface ICatalogAnswer
{
    /// <summary>The catalog after the change.</summary>
    CatalogView Catalog { get; }
}

/// <summary>Asks the controller for the whole catalog; answered with a <see cref="CatalogView"/>.</summary>
[MessagePackObject]
internal sealed record GetCatalog : IClusterMessage
{
    public static readonly GetCatalog Instance = new();
}

/// <summary>Creates a namespace; answered with <see cref="NamespaceCreated"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record CreateNamespace([property: Key(0)] string Name) : IClusterMessage;

/// <summary>Deletes an empty namespace; answered with <see cref="CatalogDeleted"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record DeleteNamespace([property: Key(0)] string Name) : IClusterMessage;

/// <summary>Creates an eventbus and its dead-letter bus; answered with <see cref="EventbusCreated"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record CreateEventbus(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name,
    [property: Key(2)] int Eventlogs,
    [property: Key(3)] int Replicas,
    [property: Key(4)] SyncPolicy Sync,
    [property: Key(5)] RetentionOptions Retention) : IClusterMessage;

/// <summary>Deletes an eventbus, its dead-letter bus and their storage; answered with <see cref="CatalogDeleted"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record DeleteEventbus(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name) : IClusterMessage;

/// <summary>A namespace was created; carries the catalog that includes it.</summary>
[MessagePackObject]
internal sealed record NamespaceCreated(
    [property: Key(0)] CatalogView Catalog,
    [property: Key(1)] NamespaceEntry Namespace) : IClusterMessage, ICatalogAnswer;

/// <summary>An eventbus was created; carries the catalog that includes it.</summary>
[MessagePackObject]
internal sealed record EventbusCreated(
    [property: Key(0)] CatalogView Catalog,
    [property: Key(1)] EventbusEntry Eventbus) : IClusterMessage, ICatalogAnswer;

/// <summary>The answer to a delete: whether there was such a thing, and the catalog after it.</summary>
[MessagePackObject]
internal sealed record CatalogDeleted(
    [property: Key(0)] CatalogView Catalog,
    [property: Key(1)] bool Found) : IClusterMessage, ICatalogAnswer;


/// <summary>Ends the controller singleton once its current command is done (the singleton manager's termination message).</summary>
[MessagePackObject]
internal sealed record StopController : IClusterMessage
{
    public static readonly StopController Instance = new();
}

/// <summary>The eventlog work of a command finished (or failed); the controller goes on with the command.</summary>
internal sealed record StorageWorkDone(object Command, IActorRef ReplyTo, string? Error) : INoSerializationVerificationNeeded;

/// <summary>Creates a subscription (the entry's incarnation, time and version are set by the controller); answered with <see cref="SubscriptionChanged"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record CreateSubscription([property: Key(0)] SubscriptionEntry Entry) : IClusterMessage;

/// <summary>Replaces a subscription's document, keeping its incarnation, creation time and state; answered with <see cref="SubscriptionChanged"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record UpdateSubscription([property: Key(0)] SubscriptionEntry Entry) : IClusterMessage;

/// <summary>Pauses or resumes a subscription; answered with <see cref="SubscriptionChanged"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record SetSubscriptionPaused(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name,
    [property: Key(2)] bool Paused) : IClusterMessage;

/// <summary>Deletes a subscription; answered with <see cref="SubscriptionDeleted"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record DeleteSubscription(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name) : IClusterMessage;

/// <summary>A subscription was created or changed; carries the catalog that includes the change.</summary>
[MessagePackObject]
internal sealed record SubscriptionChanged(
    [property: Key(0)] CatalogView Catalog,
    [property: Key(1)] SubscriptionEntry Subscription) : IClusterMessage, ICatalogAnswer;

/// <summary>The answer to a subscription delete: the entry removed (null when there was none) and the catalog after it.</summary>
[MessagePackObject]
internal sealed record SubscriptionDeleted(
    [property: Key(0)] CatalogView Catalog,
    [property: Key(1)] SubscriptionEntry? Removed) : IClusterMessage, ICatalogAnswer;

/// <summary>Creates a schedule (the entry's incarnation, time and version are set by the controller); answered with <see cref="ScheduleChanged"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record CreateSchedule([property: Key(0)] ScheduleEntry Entry) : IClusterMessage;

/// <summary>Deletes a schedule; answered with <see cref="ScheduleDeleted"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record DeleteSchedule(
    [property: Key(0)] string Namespace,
    [property: Key(1)] string Name) : IClusterMessage;

/// <summary>A schedule was created; carries the catalog that includes it.</summary>
[MessagePackObject]
internal sealed record ScheduleChanged(
    [property: Key(0)] CatalogView Catalog,
    [property: Key(1)] ScheduleEntry Schedule) : IClusterMessage, ICatalogAnswer;

/// <summary>The answer to a schedule delete: the entry removed (null when there was none) and the catalog after it.</summary>
[MessagePackObject]
internal sealed record ScheduleDeleted(
    [property: Key(0)] CatalogView Catalog,
    [property: Key(1)] ScheduleEntry? Removed) : IClusterMessage, ICatalogAnswer;

/// <summary>Creates an API token; answered with <see cref="TokenChanged"/> or <see cref="Refusal"/>.</summary>
[MessagePackObject]
internal sealed record CreateToken([property: Key(0)] TokenEntry Entry) : IClusterMessage;

/// <summary>Revokes an API token; answered with <see cref="CatalogDeleted"/>.</summary>
[MessagePackObject]
internal sealed record DeleteToken([property: Key(0)] string Name) : IClusterMessage;

/// <summary>A token was created; carries the catalog that includes it.</summary>
[MessagePackObject]
internal sealed record TokenChanged(
    [property: Key(0)] CatalogView Catalog,
    [property: Key(1)] TokenEntry Token) : IClusterMessage, ICatalogAnswer;
