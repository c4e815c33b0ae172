using System.Diagnostics;
using System.Text.RegularExpressions;
using Vanus.Storage.Tiers;

namespace Vanus.Storage.Tests.Tiers;

/// <summary>
/// Runs a real S3-compatible server (s3rver from npm, pinned in eng/s3rver) on 127.0.0.1 for the tier tests. When it is
/// not installed the tests fail with the command that installs it: they never skip.
/// </summary>
public sealed partial class S3rverFixture : IAsyncLifetime
{
    public const string Bucket = "vanus-test";
    private Process? _server;
    private string? _data;
    private Uri? _endpoint;
    private string? _problem;

    public IObjectStore CreateStore() =>
        _endpoint is { } endpoint
            ? ObjectStores.S3(new S3StoreOptions(endpoint, Bucket) { AccessKey = "S3RVER", SecretKey = "S3RVER", PartSize = 5 << 20, MultipartThreshold = 6 << 20 })
            : throw new InvalidOperationException(_problem ?? "s3rver did not start");

    public async Task InitializeAsync()
    {
        var root = FindRepositoryRoot();
        var script = root is null ? null : Path.Combine(root, "eng", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (script is null || !File.Exists(script))
        {
            _problem = "s3rver is not installed: from the repository root run `npm ci --prefix eng/s3rver` (Node.js and the npm registry are needed), then run the tests again";
            return;
        }

        _data = Path.Combine(Path.GetTempPath(), "vanus-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_data);
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { script, "-d", _data, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", Bucket },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            _server = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            _problem = $"cannot run node to start s3rver ({ex.Message}): install Node.js, then run `npm ci --prefix eng/s3rver`";
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = _server.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            while (await _server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (Listening().Match(line) is { Success: true } match)
                {
                    _endpoint = new Uri($"http://127.0.0.1:{match.Groups[1].Value}");
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (_endpoint is null)
        {
            _problem = $"s3rver did not report that it listens; its errors: {(stderr.IsCompleted ? await stderr : "(none yet)")}";
            return;
        }

        // s3rver logs every request: keep reading so its pipe never fills and blocks it.
        _ = DrainAsync(_server.StandardOutput);
    }

    public async Task DisposeAsync()
    {
        if (_server is { } server)
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            await server.WaitForExitAsync();
            server.Dispose();
        }

        if (_data is not null && Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static async Task DrainAsync(StreamReader output)
    {
        try
        {
            while (await output.ReadLineAsync() is not null)
            {
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "eng", "s3rver", "package.json")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();
}

[CollectionDefinition("s3rver")]
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>;
