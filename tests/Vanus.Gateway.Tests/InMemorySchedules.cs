using System.Collections.Concurrent;

using Vanus.Operators.Timing;
using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Tests;

/// <summary>
/// An in-memory <see cref="IScheduleBroker"/> over an <see cref="InMemoryBroker"/>: it keeps the documents it is given
/// (checking names and the target bus as a node would), lets a test set a schedule's progress, and records every call.
/// </summary>
internal sealed class InMemorySchedules(InMemoryBroker buses, TimeProvider time) : IScheduleBroker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Ns, string Name), ScheduleInfo> _schedules = [];
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>Every call that reached the broker, as "verb namespace/name".</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>The spec a schedule holds now.</summary>
    public ScheduleSpec Spec(string ns, string name)
    {
        lock (_lock)
        {
            return _schedules[(ns, name)].Spec;
        }
    }

    /// <summary>Replaces a schedule's progress, as its firing would have moved it.</summary>
    public void SetProgress(string ns, string name, Func<ScheduleInfo, ScheduleInfo> change)
    {
        lock (_lock)
        {
            _schedules[(ns, name)] = change(_schedules[(ns, name)]);
        }
    }

    public async Task<ScheduleInfo> CreateScheduleAsync(string @namespace, ScheduleSpec spec, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue($"create {@namespace}/{spec.Name}");
        if (ScheduleChecks.Check(spec) is { } problem)
        {
            throw new BrokerException(BrokerErrorKind.Invalid, $"'{problem.Field}' {problem.Reason}", problem.Field);
        }

        await NamespaceAsync(@namespace, cancellationToken);
        _ = await buses.GetEventbusAsync(@namespace, spec.Eventbus, cancellationToken)
            ?? throw new BrokerException(BrokerErrorKind.NotFound, $"eventbus '{spec.Eventbus}' does not exist in namespace '{@namespace}'", "eventbus");
        lock (_lock)
        {
            if (_schedules.ContainsKey((@namespace, spec.Name)))
            {
                throw new BrokerException(BrokerErrorKind.AlreadyExists, $"schedule '{spec.Name}' already exists in namespace '{@namespace}'", "name");
            }

            var now = time.GetUtcNow();
            var next = spec.Interval is { } interval ? now + interval : (DateTimeOffset?)null;
            var info = new ScheduleInfo(@namespace, spec, now, ScheduleState.Active, next, null, 0, 0, null);
            _schedules.Add((@namespace, spec.Name), info);
            return info;
        }
    }

    public async Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue($"list {@namespace}/");
        await NamespaceAsync(@namespace, cancellationToken);
        lock (_lock)
        {
            return [.. _schedules.Where(s => s.Key.Ns == @namespace).OrderBy(s => s.Key.Name, StringComparer.Ordinal).Select(s => s.Value)];
        }
    }

    public async Task<ScheduleInfo?> GetScheduleAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue($"get {@namespace}/{name}");
        await NamespaceAsync(@namespace, cancellationToken);
        lock (_lock)
        {
            return _schedules.GetValueOrDefault((@namespace, name));
        }
    }

    public async Task<bool> DeleteScheduleAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        _calls.Enqueue($"delete {@namespace}/{name}");
        await NamespaceAsync(@namespace, cancellationToken);
        lock (_lock)
        {
            return _schedules.Remove((@namespace, name));
        }
    }

    private async Task NamespaceAsync(string @namespace, CancellationToken cancellationToken) =>
        _ = await buses.GetNamespaceAsync(@namespace, cancellationToken)
            ?? throw new BrokerException(BrokerErrorKind.NotFound, $"namespace '{@namespace}' does not exist", "namespace");
}
