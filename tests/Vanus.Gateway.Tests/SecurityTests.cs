using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Vanus.Gateway.Tests;

/// <summary>DESIGN §7 over HTTP: each role against each route family, the token API, expiry, and the browser checks.</summary>
public sealed class SecurityTests
{
    private const string Admin = "admin-secret-0123456789";
    private const string Ns = "/api/v1/namespaces/default";

    private static readonly string[] Families = ["ingest", "read events", "pull", "view", "edit", "namespaces", "tokens", "metrics", "health"];

    /// <summary>Each caller, and the route families it may use (every other one answers 401 without a known token, 403 with one).</summary>
    private static readonly (string Caller, string[] Roles, string[] Allowed)[] Matrix =
    [
        ("no token", [], ["health"]),
        ("unknown token", [], ["health"]),
        ("admin role", ["admin"], Families),
        ("edit:default", ["edit:default"], ["ingest", "read events", "pull", "view", "edit", "metrics", "health"]),
        ("edit:*", ["edit:*"], ["ingest", "read events", "pull", "view", "edit", "metrics", "health"]),
        ("view:default", ["view:default"], ["view", "metrics", "health"]),
        ("view:other", ["view:other"], ["metrics", "health"]),
        ("write:default/orders", ["write:default/orders"], ["ingest", "health"]),
        ("write:default/*", ["write:default/*"], ["ingest", "health"]),
        ("write:default/other", ["write:default/other"], ["health"]),
        ("read:default/orders", ["read:default/orders"], ["read events", "pull", "health"]),
        ("read:*/*", ["read:*/*"], ["read events", "pull", "health"]),
        ("read:default/other", ["read:default/other"], ["health"]),
        ("view and write", ["view:default", "write:default/orders"], ["ingest", "view", "metrics", "health"]),
    ];

    [Fact]
    public async Task Each_role_reaches_exactly_its_route_families()
    {
        await using var host = await StartAsync();
        var secrets = new Dictionary<string, string?> { ["no token"] = null, ["unknown token"] = "vanus_not-a-token-anyone-was-given" };
        foreach (var (caller, roles, _) in Matrix.Where(m => m.Roles.Length > 0))
        {
            secrets[caller] = await CreateTokenAsync(host, caller.Replace(':', '-').Replace('/', '-').Replace('*', 'x').Replace(' ', '-'), roles);
        }

        using var anonymous = new HttpClient { BaseAddress = host.Client.BaseAddress };
        var wrong = new List<string>();
        var made = 0;
        foreach (var (caller, _, allowed) in Matrix)
        {
            foreach (var family in Families)
            {
                using var request = Request(family, ++made);
                if (secrets[caller] is { } secret)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
                }

                using var response = await anonymous.SendAsync(request);
                var status = (int)response.StatusCode;
                var expected = allowed.Contains(family) ? "allowed" : secrets[caller] is null || caller == "unknown token" ? "401" : "403";
                var got = status is 401 or 403 ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "allowed";
                if (expected != got)
                {
                    wrong.Add($"{caller} → {family}: expected {expected}, got {status} {await response.Content.ReadAsStringAsync()}");
                }

                if (status == 401)
                {
                    Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
                }

                if (status is 401 or 403)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public async Task The_namespace_list_shows_what_the_token_may_view()
    {
        await using var host = await StartAsync();
        await host.CreateNamespaceAsync("tenant");
        var secret = await CreateTokenAsync(host, "tenant-viewer", ["view:tenant", "write:default/orders"]);
        using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var names = (await GatewayHost.ReadJsonAsync(await client.GetAsync("/api/v1/namespaces"))).EnumerateArray().Select(n => n.GetProperty("name").GetString());
        Assert.Equal(["tenant"], names);
        var all = (await GatewayHost.ReadJsonAsync(await host.Client.GetAsync("/api/v1/namespaces"))).EnumerateArray().Select(n => n.GetProperty("name").GetString());
        Assert.Equal(["default", "tenant"], all.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Tokens_are_created_once_listed_without_secrets_revoked_and_expire()
    {
        await using var host = await StartAsync();
        using var create = await host.Client.PostAsync("/api/v1/tokens", GatewayHost.Json("""{"name":"shop","roles":["write:default/orders","read:default/*"],"expires":"90d"}"""));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var created = await GatewayHost.ReadJsonAsync(create);
        var secret = created.GetProperty("token").GetString()!;
        Assert.StartsWith("vanus_", secret, StringComparison.Ordinal);
        Assert.Equal(["write:default/orders", "read:default/*"], created.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(host.Time.GetUtcNow().AddDays(90), created.GetProperty("expires").GetDateTimeOffset());

        // Only the hash is kept, and no read shows a secret.
        var stored = Assert.Single(await host.Tokens.ListTokensAsync());
        Assert.NotEqual(secret, stored.Hash);
        Assert.DoesNotContain(secret, stored.Hash, StringComparison.Ordinal);
        using (var list = await host.Client.GetAsync("/api/v1/tokens"))
        {
            var text = await list.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"token\"", text, StringComparison.Ordinal);
        }

        using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/gateway/orders", GatewayHost.Binary("t-1"))).StatusCode);

        // A name is taken once; a bad role is refused by its index.
        using (var again = await host.Client.PostAsync("/api/v1/tokens", GatewayHost.Json("""{"name":"shop","roles":["admin"]}""")))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var bad = await host.Client.PostAsync("/api/v1/tokens", GatewayHost.Json("""{"name":"bad","roles":["view:default","write:orders"]}""")))
        {
            await ProblemAssert.IsFieldProblemAsync(bad, HttpStatusCode.BadRequest, "invalid-document", "/api/v1/tokens", "roles[1]", "must name a namespace and an eventbus");
        }

        // Past its expiry the token is refused.
        host.Time.Advance(TimeSpan.FromDays(90));
        using (var expired = await client.PostAsync("/gateway/orders", GatewayHost.Binary("t-2")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
            Assert.Contains("expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Revoked: refused at once, and a second delete finds nothing.
        using (var delete = await host.Client.DeleteAsync("/api/v1/tokens/shop"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.DeleteAsync("/api/v1/tokens/shop")).StatusCode);
        Assert.Empty(await host.Tokens.ListTokensAsync());
        Assert.Equal(1, host.Broker.TotalStored);
    }

    [Fact]
    public async Task Without_an_admin_token_authentication_is_off_and_the_token_api_says_how_to_turn_it_on()
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/gateway/orders", GatewayHost.Binary("open"))).StatusCode);
        using var create = await host.Client.PostAsync("/api/v1/tokens", GatewayHost.Json("""{"name":"shop","roles":["admin"]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Contains("VANUS_ADMIN_TOKEN", await create.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_management_body_that_is_not_JSON_is_refused_415_even_without_tokens(string contentType)
    {
        // The "simple" requests a web page may send cross-site without a preflight.
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders");
        using var content = new StringContent("""{"name":"leak","eventbus":"orders","sink":"http://127.0.0.1:9/"}""", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await host.Client.PostAsync(Ns + "/subscriptions", content);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type", Ns + "/subscriptions");
        Assert.Equal(0, host.Subscriptions.Count);
    }

    [Fact]
    public async Task A_foreign_origin_is_refused_403_and_the_own_or_an_allowed_one_passes()
    {
        await using var host = await GatewayHost.StartAsync(new GatewayOptions { AllowedOrigins = ["https://console.example.com"] });
        await host.CreateBusAsync("orders");
        async Task<HttpStatusCode> Post(string origin, string id)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/gateway/orders") { Content = GatewayHost.Binary(id) };
            request.Headers.TryAddWithoutValidation("Origin", origin);
            using var response = await host.Client.SendAsync(request);
            return response.StatusCode;
        }

        var own = host.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);
        Assert.Equal(HttpStatusCode.Forbidden, await Post("https://evil.example", "x-1"));
        Assert.Equal(HttpStatusCode.Forbidden, await Post("null", "x-2"));
        Assert.Equal(HttpStatusCode.OK, await Post(own, "x-3"));
        Assert.Equal(HttpStatusCode.OK, await Post("https://console.example.com", "x-4"));
        Assert.Equal(2, host.Broker.TotalStored);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://[::ffff:a9fe:a9fe]/", "link-local")]
    [InlineData("http://[fe80::1%25eth0]:8080/", "link-local")]
    [InlineData("http://10.9.0.1/hook", "--sink-deny")]
    public async Task A_sink_at_a_refused_literal_address_is_refused_in_the_document(string sink, string reason)
    {
        var policy = new Vanus.Operators.Outbound.OutboundPolicy(deny: [System.Net.IPNetwork.Parse("10.9.0.0/16")]);
        await using var host = await GatewayHost.StartAsync(new GatewayOptions { Outbound = policy });
        await host.CreateBusAsync("orders");
        using var response = await host.Client.PostAsync(Ns + "/subscriptions", GatewayHost.Json($$"""{"name":"leak","eventbus":"orders","sink":"{{sink}}"}"""));
        await ProblemAssert.IsFieldProblemAsync(response, HttpStatusCode.BadRequest, "invalid-document", Ns + "/subscriptions", "sink", reason);
        Assert.Equal(0, host.Subscriptions.Count);
    }

    [Fact]
    public async Task Without_tokens_a_name_rebound_to_the_node_is_refused_by_its_Host()
    {
        // DNS rebinding: a page at evil.example whose name now resolves to 127.0.0.1 sends its own name as Host and Origin.
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders");
        var port = host.Client.BaseAddress!.Port;
        using var request = new HttpRequestMessage(HttpMethod.Post, Ns + "/subscriptions") { Content = GatewayHost.Json("""{"name":"leak","eventbus":"orders","sink":"https://evil.example/c"}""") };
        request.Headers.Host = $"evil.example:{port}";
        request.Headers.TryAddWithoutValidation("Origin", $"http://evil.example:{port}");
        using var response = await host.Client.SendAsync(request);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "forbidden", Ns + "/subscriptions");
        Assert.Contains("evil.example", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, host.Subscriptions.Count);

        // Loopback names pass.
        using var local = new HttpRequestMessage(HttpMethod.Get, Ns + "/eventbuses");
        local.Headers.Host = $"localhost:{port}";
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(local)).StatusCode);
    }

    [Fact]
    public async Task A_narrow_reader_asking_about_an_unknown_namespace_gets_a_4xx()
    {
        await using var host = await StartAsync();
        var secret = await CreateTokenAsync(host, "narrow", ["read:default/orders"]);
        using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await client.GetAsync("/api/v1/namespaces/nope/subscriptions/x/deadletters");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var known = await client.PostAsync(Ns + "/subscriptions/puller/pull?wait=0s", null);
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
    }

    private static async Task<GatewayHost> StartAsync()
    {
        var host = await GatewayHost.StartAsync(new GatewayOptions { AdminToken = Admin });
        await host.CreateBusAsync("orders");
        await host.CreateBusAsync("other");
        using var pull = await host.Client.PostAsync(Ns + "/subscriptions", GatewayHost.Json("""{"name":"puller","eventbus":"orders","protocol":"pull"}"""));
        Assert.Equal(HttpStatusCode.Created, pull.StatusCode);
        return host;
    }

    private static async Task<string> CreateTokenAsync(GatewayHost host, string name, string[] roles)
    {
        using var response = await host.Client.PostAsync("/api/v1/tokens", GatewayHost.Json($$"""{"name":"{{name}}","roles":["{{string.Join("\",\"", roles)}}"]}"""));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await GatewayHost.ReadJsonAsync(response)).GetProperty("token").GetString()!;
    }

    private static HttpRequestMessage Request(string family, int n) => family switch
    {
        "ingest" => new(HttpMethod.Post, "/gateway/orders") { Content = GatewayHost.Binary($"e-{n}") },
        "read events" => new(HttpMethod.Get, Ns + "/eventbuses/orders/events?eventlog=0&offset=0"),
        "pull" => new(HttpMethod.Post, Ns + "/subscriptions/puller/pull?max=1&wait=0s"),
        "view" => new(HttpMethod.Get, Ns + "/eventbuses"),
        "edit" => new(HttpMethod.Post, Ns + "/eventbuses") { Content = GatewayHost.Json($$"""{"name":"made-{{n}}"}""") },
        "namespaces" => new(HttpMethod.Post, "/api/v1/namespaces") { Content = GatewayHost.Json($$"""{"name":"ns-{{n}}"}""") },
        "tokens" => new(HttpMethod.Get, "/api/v1/tokens"),
        "metrics" => new(HttpMethod.Get, "/metrics"),
        "health" => new(HttpMethod.Get, "/healthz"),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };
}
