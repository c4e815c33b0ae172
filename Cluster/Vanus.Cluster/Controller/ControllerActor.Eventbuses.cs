using Akka.Actor;
using Akka.Event;
using Vanus.Cluster.Eventlogs;
using Vanus.Cluster.Messaging;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

internal sealed partial class ControllerActor
{
    private (EventbusEntry Bus, EventbusEntry DeadLetter)? _creating;
    private object? _releaseReply;

    private void CreateEventbus(CreateEventbus command)
    {
        var nodes = UpNodeNames();
        if (CatalogRules.CheckCreateEventbus(_state, command, nodes.Count) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        var (bus, deadLetter) = CatalogRules.NewEventbus(command, _time.GetUtcNow(), nodes, Random.Shared.Next(Math.Max(nodes.Count, 1)));
        _creating = (bus, deadLetter);
        var commands = new List<IEventlogCommand>();
        foreach (var entry in new[] { bus, deadLetter })
        {
            for (var i = 0; i < entry.Eventlogs; i++)
            {
                commands.Add(new CreateEventlog(entry.EntityId(i), entry.ConfigOf(i)));
            }
        }

        RunOnEventlogs(commands, command, Sender);
    }

    private void DeleteEventbus(DeleteEventbus command)
    {
        if (CatalogRules.CheckDeleteEventbus(_state, command) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        if (_state.Eventbus(command.Namespace, command.Name) is not { } bus)
        {
            Sender.Tell(new CatalogDeleted(View, false));
            return;
        }

        var releases = new List<PendingRelease> { new(bus.Incarnation, bus.Eventlogs, bus.Placement) };
        if (bus.DeadLetterBus is { } name && _state.Eventbus(command.Namespace, name) is { } deadLetter)
        {
            releases.Add(new PendingRelease(deadLetter.Incarnation, deadLetter.Eventlogs, deadLetter.Placement));
        }

        var replyTo = Sender;
        Record(new EventbusRemoved(command.Namespace, command.Name, releases), _ =>
        {
            var view = Publish();
            ReleaseStorage(releases, replyTo, new CatalogDeleted(view, true));
        });
    }

    /// <summary>Deletes the eventlogs of removed incarnations, then answers <paramref name="reply"/> (if any) to <paramref name="replyTo"/>.</summary>
    private void ReleaseStorage(IReadOnlyList<PendingRelease> releases, IActorRef replyTo, object? reply)
    {
        _releaseReply = reply;
        var commands = releases
            .SelectMany(r => Enumerable.Range(0, r.Eventlogs).Select(i => (IEventlogCommand)r.DeleteOf(i)))
            .ToList();
        RunOnEventlogs(commands, new ReleaseWork(releases), replyTo);
    }

    private void RunOnEventlogs(List<IEventlogCommand> commands, object command, IActorRef replyTo)
    {
        Become(Busy);
        AskAllAsync(_eventlogs, commands, _timeout).PipeTo(
            Self,
            success: error => new StorageWorkDone(command, replyTo, error),
            failure: ex => new StorageWorkDone(command, replyTo, ex.Message));
    }

    /// <summary>Sends every command and waits for all answers; returns what went wrong, or null when every eventlog acknowledged.</summary>
    private static async Task<string?> AskAllAsync(IActorRef eventlogs, List<IEventlogCommand> commands, TimeSpan timeout)
    {
        var replies = await Task.WhenAll(commands.Select(async c =>
        {
            try
            {
                return await eventlogs.Ask<object>(c, timeout).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                return new Refusal(BrokerErrorKind.Unavailable, $"eventlog {c.EntityId} did not answer within {timeout.TotalSeconds:0.#} s", null);
            }
        })).ConfigureAwait(false);
        var problems = replies.OfType<Refusal>().Select(r => r.Message).Distinct().ToList();
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private void WorkDone(StorageWorkDone done)
    {
        switch (done.Command)
        {
            case CreateEventbus create:
                Created(create, done);
                break;
            case ReleaseWork release:
                Released(release, done);
                break;
            default:
                throw new InvalidOperationException($"unexpected work {done.Command.GetType().Name}");
        }
    }

    private void Created(CreateEventbus create, StorageWorkDone done)
    {
        var (bus, deadLetter) = _creating!.Value;
        _creating = null;
        if (done.Error is { } error)
        {
            Log.Warning("Controller: eventbus '{0}' in namespace '{1}' could not be created: {2}", create.Name, create.Namespace, error);
            var refusal = new Refusal(BrokerErrorKind.Unavailable, $"eventbus '{create.Name}' could not be created: {error}", null);

            // Whatever eventlogs were created are released like those of a deleted bus; the catalog never listed them.
            var releases = new List<PendingRelease> { new(bus.Incarnation, bus.Eventlogs), new(deadLetter.Incarnation, deadLetter.Eventlogs) };
            Record(new EventbusRemoved(create.Namespace, create.Name, releases), _ => ReleaseStorage(releases, done.ReplyTo, refusal));
            return;
        }

        Record(new EventbusAdded(bus, deadLetter), _ =>
        {
            var view = Publish();
            done.ReplyTo.Tell(new EventbusCreated(view, bus));
            BackToReady();
        });
    }

    private void Released(ReleaseWork release, StorageWorkDone done)
    {
        var reply = _releaseReply;
        _releaseReply = null;
        if (done.Error is { } error)
        {
            // The catalog no longer lists the bus; its storage stays pending and is released again at the next start.
            Log.Warning("Controller: releasing the storage of a removed eventbus failed and is retried at the next start: {0}", error);
            Answer(done.ReplyTo, reply);
            BackToReady();
            return;
        }

        var events = release.Releases.Select(r => new StorageReleased(r.Incarnation)).ToList();
        var left = events.Count;
        if (left == 0)
        {
            Answer(done.ReplyTo, reply);
            BackToReady();
            return;
        }

        foreach (var evt in events)
        {
            Record(evt, _ =>
            {
                if (--left == 0)
                {
                    Answer(done.ReplyTo, reply);
                    BackToReady();
                }
            });
        }
    }

    private static void Answer(IActorRef replyTo, object? reply)
    {
        if (reply is not null && !replyTo.IsNobody())
        {
            replyTo.Tell(reply);
        }
    }

    private void BackToReady()
    {
        Become(Ready);
        Stash.UnstashAll();
    }

    /// <summary>The storage of these incarnations is being deleted.</summary>
    private sealed record ReleaseWork(IReadOnlyList<PendingRelease> Releases);
}
