using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Vanus.Node.Tests;

/// <summary>DESIGN §7 with the real executable: exposure without tokens, tokens across a cluster, HTTPS, and the token verbs.</summary>
public sealed class SecurityTests : IDisposable
{
    private const string AdminToken = "node-tests-admin-0123456789abcdef";
    private static readonly Dictionary<string, string> Admin = new() { ["VANUS_ADMIN_TOKEN"] = AdminToken };
    private readonly List<string> _folders = [];

    [Fact]
    public async Task A_node_bound_beyond_loopback_without_tokens_refuses_to_start()
    {
        // 192.0.2.1 (TEST-NET-1) is on no interface here: the refusal must come before any attempt to listen.
        var (exit, _, error) = await RunVanusAsync(null, "node", "--port", "0", "--bind", "192.0.2.1", "--data", Folder());
        Assert.Equal(2, exit);
        Assert.Contains("192.0.2.1", error, StringComparison.Ordinal);
        Assert.Contains("VANUS_ADMIN_TOKEN", error, StringComparison.Ordinal);
        Assert.Contains("--insecure", error, StringComparison.Ordinal);

        // A cluster transport other machines can reach must be TLS: whoever joins a plain one can write the catalog.
        var (clusterExit, _, clusterError) = await RunVanusAsync(Admin, "node", "--port", "0", "--cluster-host", "192.0.2.1", "--data", Folder());
        Assert.Equal(2, clusterExit);
        Assert.Contains("--cluster-tls-cert", clusterError, StringComparison.Ordinal);

        // A token that is too short to be a secret is refused the same way.
        var (shortExit, _, shortError) = await RunVanusAsync(new Dictionary<string, string> { ["VANUS_ADMIN_TOKEN"] = "short" }, "node", "--port", "0", "--data", Folder());
        Assert.Equal(2, shortExit);
        Assert.Contains("at least 16", shortError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_token_is_refused_on_every_node_of_a_two_node_cluster_within_two_seconds()
    {
        await using var first = await NodeProcess.StartAsync(Folder(), true, Admin);
        await using var second = await NodeProcess.StartAsync(Folder(), true, Admin, "--seeds", first.ClusterAddress!);
        using var admin = Client(first, AdminToken);
        await Api.CreateBusAsync(admin, "orders");

        using var created = await admin.PostAsJsonAsync("api/v1/tokens", new { name = "shop", roles = new[] { "write:default/orders" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["token"]!;

        // The token and the bus reach the second node through the replicated catalog.
        using var shop = Client(second, secret);
        await WaitForStatusAsync(shop, HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        var revoked = Stopwatch.StartNew();
        using (var delete = await admin.DeleteAsync("api/v1/tokens/shop"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var shopOnFirst = Client(first, secret);
        await WaitForStatusAsync(shopOnFirst, HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10));
        await WaitForStatusAsync(shop, HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10));
        Console.WriteLine($"revocation seen on both nodes after {revoked.Elapsed.TotalMilliseconds:F0} ms (goal: 2 s)");
        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(10), $"revocation took {revoked.Elapsed}");
    }

    [Fact]
    public async Task HTTPS_is_served_with_the_given_certificate()
    {
        var folder = Folder();
        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(folder, "node.crt");
        var keyPath = Path.Combine(folder, "node.key");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

        await using var node = await NodeProcess.StartAsync(Path.Combine(folder, "data"), true, "--tls-cert", certPath, "--tls-key", keyPath);
        Assert.Equal("https", node.Endpoint.Scheme);

        // The client trusts exactly this certificate, as a user pins a self-signed one.
        var seen = (string?)null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => (seen = cert?.Thumbprint) == certificate.Thumbprint,
        };
        using var https = new HttpClient(handler) { BaseAddress = node.Endpoint };
        await Api.CreateBusAsync(https, "orders");
        using (var put = await https.SendAsync(Api.Binary("gateway/orders", "tls-1")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.Equal(certificate.Thumbprint, seen);

        // Plain HTTP to the same port gets no answer a client could take for the API's.
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.Endpoint.Port}/") };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetStringAsync("api/v1/namespaces/default/eventbuses"));
    }

    [Fact]
    public async Task The_token_verbs_create_list_and_revoke_with_the_token_from_the_flag_or_VANUS_TOKEN()
    {
        await using var node = await NodeProcess.StartAsync(Folder(), true, Admin);
        var endpoint = node.Endpoint.ToString().TrimEnd('/');

        var (exit, output, error) = await RunVanusAsync(null, "token", "create", "ci", "--role", "view:default", "--role", "write:default/*", "--expires", "30d", "--endpoint", endpoint, "--token", AdminToken);
        Assert.True(exit == 0, error);
        var secret = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
        Assert.StartsWith("vanus_", secret, StringComparison.Ordinal);

        (exit, output, error) = await RunVanusAsync(new Dictionary<string, string> { ["VANUS_TOKEN"] = AdminToken }, "token", "list", "--endpoint", endpoint);
        Assert.True(exit == 0, error);
        Assert.Contains("ci", output, StringComparison.Ordinal);
        Assert.Contains("view:default write:default/*", output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);

        // The new token works for what its roles allow and is refused the rest.
        (exit, _, error) = await RunVanusAsync(new Dictionary<string, string> { ["VANUS_TOKEN"] = secret }, "eventbus", "list", "--endpoint", endpoint);
        Assert.True(exit == 0, error);
        (exit, _, error) = await RunVanusAsync(new Dictionary<string, string> { ["VANUS_TOKEN"] = secret }, "eventbus", "create", "nope", "--endpoint", endpoint);
        Assert.NotEqual(0, exit);
        Assert.Contains("403", error, StringComparison.Ordinal);

        (exit, _, error) = await RunVanusAsync(null, "token", "delete", "ci", "--endpoint", endpoint, "--token", AdminToken);
        Assert.True(exit == 0, error);
        (exit, _, error) = await RunVanusAsync(null, "eventbus", "list", "--endpoint", endpoint, "--token", secret);
        Assert.NotEqual(0, exit);
        Assert.Contains("401", error, StringComparison.Ordinal);

        // Without a token at all the node says how to send one.
        (exit, _, error) = await RunVanusAsync(null, "eventbus", "list", "--endpoint", endpoint);
        Assert.NotEqual(0, exit);
        Assert.Contains("Authorization: Bearer", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sinks_at_the_node_itself_are_refused_and_names_are_checked_when_delivery_connects()
    {
        await using var node = await NodeProcess.StartAsync(Folder(), true, "--sink-deny", "127.0.0.0/8,::1/128");
        using var http = node.Client();
        await Api.CreateBusAsync(http, "orders");

        // The node's own listener, as a literal address: refused in the document.
        using (var own = await http.PostAsJsonAsync(SubscriptionApi.Subscriptions, new { name = "loop", eventbus = "orders", sink = $"http://127.0.0.1:{node.Endpoint.Port}/gateway/orders" }))
        {
            var problem = JsonNode.Parse(await own.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.BadRequest, own.StatusCode);
            Assert.Equal("sink", (string)problem["field"]!);
        }

        // A name passes the document; where it resolves is refused when delivery connects, and the status says why.
        await SubscriptionApi.CreateAsync(http, new JsonObject { ["name"] = "named", ["eventbus"] = "orders", ["sink"] = "http://localhost:9/hook", ["delivery"] = new JsonObject { ["maxAttempts"] = 1 } });
        using (var put = await http.SendAsync(Api.Binary("gateway/orders", "e-1")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var info = await SubscriptionApi.WaitForAsync(http, "named", s => s["lastError"] is JsonObject);
        Assert.Contains("outbound address policy", (string)info["lastError"]!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_on_eventbuses_subscriptions_and_schedules_refuse_one_more_by_name()
    {
        await using var node = await NodeProcess.StartAsync(Folder(), true, "--max-eventbuses", "2", "--max-subscriptions", "1", "--max-schedules", "1");
        using var http = node.Client();
        await Api.CreateBusAsync(http, "one");
        await Api.CreateBusAsync(http, "two");
        await AssertRefusedAsync(http, Api.Buses, new { name = "three" }, "--max-eventbuses 2");

        await SubscriptionApi.CreateAsync(http, new JsonObject { ["name"] = "s1", ["eventbus"] = "one", ["protocol"] = "pull" });
        await AssertRefusedAsync(http, SubscriptionApi.Subscriptions, new { name = "s2", eventbus = "one", protocol = "pull" }, "--max-subscriptions 1");

        using (var first = await http.PostAsJsonAsync("api/v1/namespaces/default/schedules", new { name = "t1", eventbus = "one", interval = "1h", @event = new { source = "/s", type = "t" } }))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        await AssertRefusedAsync(http, "api/v1/namespaces/default/schedules", new { name = "t2", eventbus = "one", interval = "1h", @event = new { source = "/s", type = "t" } }, "--max-schedules 1");

        // What was refused was not created; deleting makes room again.
        Assert.Equal(2, (await Api.GetJsonAsync(http, Api.Buses)).AsArray().Count);
        using (var delete = await http.DeleteAsync($"{Api.Buses}/two"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        await Api.CreateBusAsync(http, "three");
    }

    private static async Task AssertRefusedAsync(HttpClient http, string path, object document, string setting)
    {
        using var response = await http.PostAsJsonAsync(path, document);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
        var problem = JsonNode.Parse(text)!;
        Assert.Equal("name", (string)problem["field"]!);
        Assert.Contains(setting, (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cluster_transport_runs_TLS_and_a_node_without_the_certificate_cannot_join()
    {
        var folder = Folder();
        Directory.CreateDirectory(folder);
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=vanus-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(Path.Combine(folder, "cluster.pfx"), made.Export(X509ContentType.Pfx, "cluster-pw"));
        }

        string[] tls = ["--cluster-tls-cert", Path.Combine(folder, "cluster.pfx"), "--cluster-tls-password", "cluster-pw"];
        await using var first = await NodeProcess.StartAsync(Path.Combine(folder, "a"), true, tls);
        await using var second = await NodeProcess.StartAsync(Path.Combine(folder, "b"), true, [.. tls, "--seeds", first.ClusterAddress!]);

        // The two members work together over TLS: a bus made on one takes events on the other.
        using var a = first.Client();
        using var b = second.Client();
        await Api.CreateBusAsync(a, "orders");
        using (var put = await b.SendAsync(Api.Binary("gateway/orders", "over-tls")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        // A process without the certificate speaks plain TCP to the TLS port, and one with another certificate fails the
        // pin: the first node refuses both, and neither ever joins.
        Assert.StartsWith("akka.ssl.tcp://", first.ClusterAddress, StringComparison.Ordinal);
        await using var plain = await NodeProcess.StartAsync(Path.Combine(folder, "c"), false, "--seeds", first.ClusterAddress!.Replace("akka.ssl.tcp://", "akka.tcp://", StringComparison.Ordinal));
        await first.WaitForLineAsync(l => l.Contains("due to TLS handshake failure", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=vanus-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(Path.Combine(folder, "other.pfx"), other.Export(X509ContentType.Pfx, "cluster-pw"));
        }

        await using var impostor = await NodeProcess.StartAsync(Path.Combine(folder, "d"), false, "--seeds", first.ClusterAddress!, "--cluster-tls-cert", Path.Combine(folder, "other.pfx"), "--cluster-tls-password", "cluster-pw");
        await first.WaitForLineAsync(l => l.Contains("Certificate pinning failed", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        foreach (var outsider in new[] { plain, impostor })
        {
            using var c = outsider.Client();
            using var ready = await c.GetAsync("readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        Assert.Contains("orders", await a.GetStringAsync(Api.Buses), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var folder in _folders.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private string Folder()
    {
        var folder = NodeDataTests.NewFolder();
        _folders.Add(folder);
        return folder;
    }

    private static HttpClient Client(NodeProcess node, string token)
    {
        var client = node.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Ingests with the client until the node answers <paramref name="status"/>.</summary>
    private static async Task WaitForStatusAsync(HttpClient client, HttpStatusCode status, TimeSpan patience)
    {
        using var cts = new CancellationTokenSource(patience);
        var last = "";
        try
        {
            while (true)
            {
                using var response = await client.SendAsync(Api.Binary("gateway/orders", "probe"), cts.Token);
                if (response.StatusCode == status)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cts.Token)}";
                await Task.Delay(20, cts.Token);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"no {(int)status} within {patience}; last answer: {last}");
        }
    }

    private static async Task<(int Exit, string Out, string Error)> RunVanusAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(NodeProcess.Executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("VANUS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return (process.ExitCode, await output, await error);
    }
}
