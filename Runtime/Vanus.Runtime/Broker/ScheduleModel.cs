using System.Globalization;
using Vanus.Runtime.Events;

namespace Vanus.Runtime.Broker;

/// <summary>A schedule document (DESIGN §6): the eventbus, a cron expression or an interval, and the event template (its id and time are set per occurrence).</summary>
public sealed record ScheduleSpec(string Name, string Eventbus, Event Event)
{
    /// <summary>The shortest interval a schedule may have.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest interval a schedule may have (longer periods are written as cron expressions).</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(366);

    /// <summary>A cron expression of five fields (minute hour day-of-month month day-of-week) or six (seconds first); null when <see cref="Interval"/> is used.</summary>
    public string? Cron { get; init; }

    /// <summary>The IANA time zone <see cref="Cron"/> is read in, such as <c>America/New_York</c>; an interval schedule keeps <c>UTC</c>.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>The fixed period between occurrences, the first one an interval after creation; null when <see cref="Cron"/> is used.</summary>
    public TimeSpan? Interval { get; init; }
}

/// <summary>What is wrong with a schedule document: the field (a JSON path such as <c>event.type</c>) and the reason.</summary>
public sealed record ScheduleProblem(string Field, string Reason);

/// <summary>Whether a schedule fires.</summary>
public enum ScheduleState
{
    /// <summary>Firing at each occurrence.</summary>
    Active,

    /// <summary>Stopped for good because its eventbus no longer exists; <see cref="ScheduleInfo.LastError"/> says why.</summary>
    Stopped,
}

/// <summary>A failure of a schedule (an append that failed and is retried, or why it stopped) and when it happened.</summary>
public sealed record ScheduleError(string Message, DateTimeOffset Time);

/// <summary>A schedule as the node reports it: the document, creation time, state, next and last fired occurrence, and the fired and missed counts.</summary>
public sealed record ScheduleInfo(
    string Namespace,
    ScheduleSpec Spec,
    DateTimeOffset CreatedAt,
    ScheduleState State,
    DateTimeOffset? NextOccurrence,
    DateTimeOffset? LastFired,
    long Fired,
    long Missed,
    ScheduleError? LastError);

/// <summary>The attributes a schedule sets on each event it emits, and the id it gives it.</summary>
public static class ScheduleAttributes
{
    /// <summary>The prefix of attribute names the runtime sets; a template may not carry them.</summary>
    public const string ReservedPrefix = "xvanus";

    /// <summary>The name of the schedule that emitted the event (a string).</summary>
    public const string Schedule = "xvanusschedule";

    /// <summary>The occurrence the event stands for (a timestamp); the event's <c>time</c> is the same instant.</summary>
    public const string Time = "xvanusscheduletime";

    /// <summary>Set only on an event emitted late (the node was down): how many occurrences it stands for, it being the latest of them.</summary>
    public const string Missed = "xvanusmissed";

    /// <summary>The id of the event emitted for an occurrence: <c>{schedule}-{occurrence as yyyyMMddTHHmmssfffZ}</c>, the same every time that occurrence is emitted.</summary>
    public static string EventId(string schedule, DateTimeOffset occurrence)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return string.Create(CultureInfo.InvariantCulture, $"{schedule}-{occurrence.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}");
    }
}
