using Vanus.Runtime.Broker;

namespace Vanus.Gateway.Tests;

/// <summary>An <see cref="ITimerService"/> whose counts a test sets.</summary>
internal sealed class FakeTimerService : ITimerService
{
    public TimerStats Stats { get; set; } = new(0, 0, 0, 0, Ready: true);
}
