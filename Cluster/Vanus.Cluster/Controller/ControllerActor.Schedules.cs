using Akka.Actor;
using Vanus.Cluster.Messaging;
using Vanus.Cluster.Schedules;
using Vanus.Runtime.Broker;

namespace Vanus.Cluster.Controller;

internal sealed partial class ControllerActor
{
    private void CreateSchedule(CreateSchedule command)
    {
        if (CatalogRules.CheckCreateSchedule(_state, command.Entry) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }

        var replyTo = Sender;
        var entry = command.Entry with { Incarnation = CatalogRules.NewIncarnation(), CreatedAt = _time.GetUtcNow(), Version = LastSequenceNr + 1 };
        Record(new ScheduleAdded(entry), _ =>
        {
            _schedules.Tell(new ConfigureSchedule(entry.EntityId, entry), ActorRefs.NoSender);
            replyTo.Tell(new ScheduleChanged(Publish(), entry));
        });
    }

    private void DeleteSchedule(DeleteSchedule command)
    {
        if (!_state.HasNamespace(command.Namespace))
        {
            Sender.Tell(new Refusal(BrokerErrorKind.NotFound, $"namespace '{command.Namespace}' does not exist", "namespace"));
            return;
        }

        if (_state.Schedule(command.Namespace, command.Name) is not { } current)
        {
            Sender.Tell(new ScheduleDeleted(View, null));
            return;
        }

        // The broker stops the schedule's actor and deletes its journal once the catalog no longer lists it; nothing
        // wakes the actor of a schedule the catalog does not list, so a crash in between leaves it stopped.
        var replyTo = Sender;
        Record(new ScheduleRemoved(command.Namespace, command.Name), _ => replyTo.Tell(new ScheduleDeleted(Publish(), current)));
    }

    /// <summary>
    /// Hands every schedule its entry after the controller recovers: schedule actors are started on demand, so this is what
    /// starts them again (each settles a firing left in doubt, then emits what it missed) once the node is back.
    /// </summary>
    private void WakeSchedules()
    {
        foreach (var schedule in _state.Schedules)
        {
            _schedules.Tell(new ConfigureSchedule(schedule.EntityId, schedule), ActorRefs.NoSender);
        }
    }
}
