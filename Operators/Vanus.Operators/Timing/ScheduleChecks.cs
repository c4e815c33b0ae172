using System.Globalization;
using Vanus.Runtime.Broker;

namespace Vanus.Operators.Timing;

/// <summary>Checks a schedule document in full (names, cron or interval, time zone, event template) before it is stored.</summary>
public static class ScheduleChecks
{
    /// <summary>The first thing wrong with <paramref name="spec"/>, naming its field, or null when it may be created.</summary>
    public static ScheduleProblem? Check(ScheduleSpec spec)
    {
        if (EventbusNames.Check(spec.Name) is { } name)
        {
            return new("name", name);
        }

        if (EventbusNames.Check(spec.Eventbus) is { } bus)
        {
            return new("eventbus", bus);
        }

        if (spec.Cron is null && spec.Interval is null)
        {
            return new("cron", "or interval is required: say when the schedule fires, such as cron \"*/5 * * * *\" or interval \"30s\"");
        }

        if (spec.Cron is not null && spec.Interval is not null)
        {
            return new("interval", "cannot be given with cron: a schedule fires either on a cron expression or at an interval");
        }

        if (ScheduleClock.CheckTimeZone(spec.TimeZone) is { } zone)
        {
            return new("timezone", zone);
        }

        if (spec.Cron is { } cron)
        {
            if (ScheduleClock.CheckCron(cron, spec.TimeZone) is { } problem)
            {
                return new("cron", problem);
            }
        }
        else if (spec.Interval is { } interval)
        {
            if (interval < ScheduleSpec.MinInterval || interval > ScheduleSpec.MaxInterval)
            {
                return new("interval", string.Create(CultureInfo.InvariantCulture, $"must be from 1 second to 366 days (got {interval.TotalSeconds:0.###} s)"));
            }

            if (spec.TimeZone != "UTC")
            {
                return new("timezone", $"applies to cron expressions only; an interval counts from the schedule's creation (got '{spec.TimeZone}')");
            }
        }

        if (spec.Event is null)
        {
            return new("event", "is required: the CloudEvent each occurrence emits");
        }

        foreach (var (attribute, _) in spec.Event.Extensions)
        {
            if (attribute.StartsWith(ScheduleAttributes.ReservedPrefix, StringComparison.Ordinal))
            {
                return new($"event.{attribute}", $"is reserved: attributes starting with '{ScheduleAttributes.ReservedPrefix}' are set by the runtime");
            }
        }

        return null;
    }
}
