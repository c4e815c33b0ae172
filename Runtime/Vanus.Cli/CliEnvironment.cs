namespace Vanus.Cli;

/// <summary>What the verbs read and write besides the network: the console streams and the clock, swapped in tests.</summary>
internal sealed record CliEnvironment(TextWriter Out, TextWriter Error, Func<Stream> OpenStandardInput, TimeProvider Time)
{
    public static CliEnvironment FromConsole() => new(Console.Out, Console.Error, Console.OpenStandardInput, TimeProvider.System);
}
