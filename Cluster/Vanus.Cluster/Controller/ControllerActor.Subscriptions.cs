using Akka.Actor;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Triggers;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

internal sealed partial class ControllerActor
{
    private void CreateSubscription(CreateSubscription command)
    {
        if (CatalogRules.CheckCreateSubscription(_state, command.Entry) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        var replyTo = Sender;
        var entry = command.Entry with { Incarnation = CatalogRules.NewIncarnation(), CreatedAt = _time.GetUtcNow(), Paused = false, Version = LastSequenceNr + 1 };
        Record(new SubscriptionAdded(entry), _ => replyTo.Tell(new SubscriptionChanged(Publish(), entry)));
    }

    private void UpdateSubscription(UpdateSubscription command)
    {
        if (CatalogRules.CheckUpdateSubscription(_state, command.Entry) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        var current = _state.Subscription(command.Entry.Namespace, command.Entry.Name)!;
        var entry = command.Entry with
        {
            Incarnation = current.Incarnation,
            CreatedAt = current.CreatedAt,
            Paused = current.Paused,
            FromKind = current.FromKind,
            FromTime = current.FromTime,
            Version = LastSequenceNr + 1,
        };
        var replyTo = Sender;
        Record(new SubscriptionUpdated(entry), _ => replyTo.Tell(new SubscriptionChanged(Publish(), entry)));
    }

    private void SetSubscriptionPaused(SetSubscriptionPaused command)
    {
        if (CatalogRules.FindSubscription(_state, command.Namespace, command.Name) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        var current = _state.Subscription(command.Namespace, command.Name)!;
        if (current.Paused == command.Paused)
        {
            Sender.Tell(new SubscriptionChanged(View, current));
            return;
        }

        var entry = current with { Paused = command.Paused, Version = LastSequenceNr + 1 };
        var replyTo = Sender;
        Record(new SubscriptionUpdated(entry), _ => replyTo.Tell(new SubscriptionChanged(Publish(), entry)));
    }

    private void DeleteSubscription(DeleteSubscription command)
    {
        if (!_state.HasNamespace(command.Namespace))
        {
            Sender.Tell(new Refusal(BrokerErrorKind.NotFound, $"namespace '{command.Namespace}' does not exist", "namespace"));
            return;
        }

        if (_state.Subscription(command.Namespace, command.Name) is not { } current)
        {
            Sender.Tell(new SubscriptionDeleted(View, null));
            return;
        }

        var replyTo = Sender;
        Record(new SubscriptionRemoved(command.Namespace, command.Name), _ => replyTo.Tell(new SubscriptionDeleted(Publish(), current)));
    }

    /// <summary>
    /// Hands every trigger its configuration after a restart: triggers are started on demand, so this is what wakes them
    /// (and resumes delivery from their committed offsets) once the node is back.
    /// </summary>
    private void WakeTriggers()
    {
        foreach (var subscription in _state.Subscriptions)
        {
            if (_state.Eventbus(subscription.Namespace, subscription.Eventbus) is not { } bus)
            {
                continue;
            }

            var deadLetter = bus.DeadLetterBus is { } name ? _state.Eventbus(bus.Namespace, name) : null;
            foreach (var configure in TriggerConfigs.For(subscription, bus, deadLetter))
            {
                _triggers.Tell(configure);
            }
        }
    }
}
