using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;

namespace Vanus.Cluster.Hosting;

/// <summary>Hands the node's <see cref="ILoggerFactory"/> to the actor system, for <see cref="AkkaLogger"/>.</summary>
internal sealed class LoggerFactorySetup(ILoggerFactory factory) : Setup
{
    public ILoggerFactory Factory { get; } = factory;
}

/// <summary>
/// Akka's logger actor for the node: every actor's log line goes to the node's Microsoft.Extensions.Logging pipeline (so
/// <c>--log-format json</c> covers them), under the category of the class that logged it (<c>Vanus.Cluster.Timers.TimerActor</c>,
/// <c>Akka.Cluster.Cluster</c>), with the actor path as a scope value.
/// </summary>
internal sealed class AkkaLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _factory;

    public AkkaLogger()
    {
        _factory = Context.System.Settings.Setup.Get<LoggerFactorySetup>().Value?.Factory
            ?? throw new InvalidOperationException($"{nameof(AkkaLogger)} needs a {nameof(LoggerFactorySetup)} in the actor system's setup");
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Log);
    }

    private void Log(LogEvent e)
    {
        var logger = _factory.CreateLogger(e.LogClass?.FullName ?? "Akka");
        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => Microsoft.Extensions.Logging.LogLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => Microsoft.Extensions.Logging.LogLevel.Information,
            Akka.Event.LogLevel.WarningLevel => Microsoft.Extensions.Logging.LogLevel.Warning,
            _ => Microsoft.Extensions.Logging.LogLevel.Error,
        };
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var cause = e is Error error ? error.Cause : null;
#pragma warning disable CA2254 // the text is the actor's formatted message: Akka formats it before it gets here
        logger.Log(level, default(EventId), new LogLine(e.LogSource, e.Message?.ToString() ?? ""), cause, static (line, _) => line.Text);
#pragma warning restore CA2254
    }

    /// <summary>The state of one line: the message, and the actor path as a structured value.</summary>
    private sealed class LogLine(string source, string text) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Text { get; } = text;

        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("ActorPath", source),
            1 => new("{OriginalFormat}", Text),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
            yield return this[1];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Text;
    }
}
