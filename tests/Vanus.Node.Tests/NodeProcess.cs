using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Vanus.Node.Tests;

/// <summary>The real <c>vanus</c> executable run as a child process: <c>vanus node</c> on a free port and a data folder.</summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<(string Scheme, string Host, int Port)> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    /// <summary>The node's data folder.</summary>
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _lineWaiters = [];

    public string DataDirectory { get; }

    /// <summary>The node's HTTP endpoint once it listens.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The node's cluster address (what another node gives as --seeds), once it listens.</summary>
    public string? ClusterAddress { get; private set; }

    /// <summary>The process id, to read /proc for memory figures.</summary>
    public int Pid => _process.Id;

    /// <summary>Everything the node printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The path of vanus.dll, copied beside the tests by the project reference.</summary>
    public static string Executable
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "vanus.dll");
            Assert.True(File.Exists(path), $"the vanus executable is missing at {path}");
            return path;
        }
    }

    /// <summary>Starts a node and waits until it says it is ready.</summary>
    public static Task<NodeProcess> StartAsync(string dataDirectory, params string[] extraArgs) => StartAsync(dataDirectory, waitUntilReady: true, extraArgs);

    /// <summary>Starts a node and waits until it listens, and also until it is ready when <paramref name="waitUntilReady"/> is set.</summary>
    public static Task<NodeProcess> StartAsync(string dataDirectory, bool waitUntilReady, params string[] extraArgs) =>
        StartAsync(dataDirectory, waitUntilReady, null, extraArgs);

    /// <summary>Starts a node with <paramref name="environment"/> set for it (VANUS_ADMIN_TOKEN, say).</summary>
    public static Task<NodeProcess> StartAsync(string dataDirectory, bool waitUntilReady, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs) =>
        StartAsync(dataDirectory, waitUntilReady, environment, null, extraArgs);

    /// <summary>
    /// Starts a node inside network namespace <paramref name="place"/>'s (through <c>ip netns exec</c>, which keeps the
    /// process id) bound to its address, or on loopback when null.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(string dataDirectory, bool waitUntilReady, IReadOnlyDictionary<string, string>? environment, (string Netns, string Address)? place, params string[] extraArgs)
    {
        var start = new ProcessStartInfo(place is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Any free HTTP port, unless the test fixes one (a cluster member advertises a fixed port only).
        string[] anyPort = extraArgs.Contains("--port") ? [] : ["--port", "0"];
        string[] prefix = place is { } p ? ["netns", "exec", p.Netns, "dotnet"] : [];
        string[] bind = place is { } q ? ["--bind", q.Address, "--cluster-host", q.Address, "--insecure"] : ["--bind", "127.0.0.1"];
        foreach (var arg in (string[])[.. prefix, Executable, "node", .. anyPort, .. bind, "--data", dataDirectory, .. extraArgs])
        {
            start.ArgumentList.Add(arg);
        }

        // Settings must come from the flags alone, not from the machine the tests run on.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("VANUS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(process, dataDirectory);
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        process.Exited += (_, _) => node.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var (scheme, host, port) = await node._port.Task.WaitAsync(StartTimeout);
            node.Endpoint = new Uri($"{scheme}://{host}:{port}/");
            if (waitUntilReady)
            {
                await node._ready.Task.WaitAsync(StartTimeout);
            }

            return node;
        }
        catch (Exception ex)
        {
            await node.KillAsync();
            throw new InvalidOperationException($"the node did not become ready ({ex.Message}); it printed:\n{node.Output}", ex);
        }
    }

    /// <summary>Completes once the node prints a line that <paramref name="match"/> accepts (including one printed already).</summary>
    public Task WaitForLineAsync(Func<string, bool> match, TimeSpan patience)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Split('\n').Any(l => match(l.TrimEnd('\r'))))
            {
                return Task.CompletedTask;
            }

            _lineWaiters.Add((match, seen));
        }

        return seen.Task.WaitAsync(patience);
    }

    /// <summary>An HTTP client for the node.</summary>
    public HttpClient Client() => new() { BaseAddress = Endpoint, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Kills the node at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Sends the node a signal (STOP to pause it, CONT to resume it), as <c>kill -SIG</c> does.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Completes with the exit code once the node has exited on its own.</summary>
    public async Task<int> ExitedAsync()
    {
        await _stopped.Task;
        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>Asks the node to stop (SIGTERM) and returns its exit code once it has.</summary>
    public async Task<int> TerminateAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM, as a service manager sends it.
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await _stopped.Task;
        return _process.ExitCode;
    }

    /// <summary>The most resident memory the node had at any moment (VmHWM from /proc), in bytes.</summary>
    public long PeakResidentBytes()
    {
        var line = File.ReadAllLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(Digits().Match(line).Value, System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            _lineWaiters.RemoveAll(w => w.Match(line) && w.Seen.TrySetResult());
        }

        if (ListeningLine().Match(line) is { Success: true } m)
        {
            _port.TrySetResult((m.Groups[1].Value, m.Groups[2].Value, int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)));
            ClusterAddress = ClusterLine().Match(line) is { Success: true } c ? c.Groups[1].Value : null;
        }

        if (line.Contains("vanus node ready", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private void OnExited()
    {
        var error = new InvalidOperationException($"the node exited with code {_process.ExitCode}");
        _port.TrySetException(error);
        _ready.TrySetException(error);
        _stopped.TrySetResult();
    }

    [GeneratedRegex(@"listening on (https?)://(\d+\.\d+\.\d+\.\d+):(\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"cluster (akka[.\w]*://\S+)")]
    private static partial Regex ClusterLine();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
