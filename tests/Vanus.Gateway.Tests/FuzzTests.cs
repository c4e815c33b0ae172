using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.Extensions.Logging;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Gateway.Tests;

/// <summary>
/// Property-based fuzzing of the gateway's codecs and document parsers over real HTTP: valid requests of every mode,
/// mutated byte by byte with what breaks parsers (invalid UTF-8, escaped surrogates, control characters, cut JSON,
/// duplicated members, huge numbers). Every answer is below 500 and a well-formed document, nothing logs an unhandled
/// error, and a model check holds: a refused request stores or creates nothing, an accepted one stores exactly what it
/// says, and every stored event is one the event format writes and reads back unchanged.
/// </summary>
public sealed class FuzzTests
{
    // Requests per mode: thousands each, about a second of loopback HTTP per thousand; VANUS_FUZZ_ITERATIONS runs longer.
    private static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("VANUS_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 3000;

    private static readonly byte[][] Nasty =
    [
        [0xff], [0xfe, 0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0x00], [0x01], [0x7f], [0xc2, 0x85],
        "\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "\\u0000"u8.ToArray(), "\\u001f"u8.ToArray(), "\\"u8.ToArray(), "\""u8.ToArray(),
        "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(), "null"u8.ToArray(),
        "1e999"u8.ToArray(), "-0"u8.ToArray(), "99999999999999999999999"u8.ToArray(), "\"id\":\"dup\","u8.ToArray(), "%"u8.ToArray(), "%ff"u8.ToArray(),
        "%ed%a0%80"u8.ToArray(), "%00"u8.ToArray(), "café"u8.ToArray(), "☕"u8.ToArray(), "\"data\":{\"a\":[1,2,{\"b\":null}]},"u8.ToArray(),
        "\"data_base64\":\"!!\","u8.ToArray(), "\"time\":\"2026-13-01T00:00:00Z\","u8.ToArray(), "\"xvanusdeliverytime\":\"2026-11-28T12:00:00Z\","u8.ToArray(),
    ];

    /// <summary>A byte string after a handful of edits: inserted, replaced, cut or repeated pieces, each often a nasty one.</summary>
    private static Gen<byte[]> Mutated(params byte[][] seeds) =>
        from seed in Gen.OneOf(seeds)
        from count in Gen.Frequency((3, Gen.Const(0)), (7, Gen.Int[1, 5]))
        from edits in Edit.Array[count, count]
        select edits.Aggregate(seed, (bytes, edit) => edit(bytes));

    private static readonly Gen<Func<byte[], byte[]>> Edit = Gen.OneOf(
        from at in Gen.Double[0, 1]
        from piece in Gen.OneOf(Gen.OneOf(Nasty), Gen.Byte.Array[1, 4])
        select (Func<byte[], byte[]>)(b => [.. b[..Pos(b, at)], .. piece, .. b[Pos(b, at)..]]),
        from at in Gen.Double[0, 1]
        from length in Gen.Int[1, 8]
        select (Func<byte[], byte[]>)(b => [.. b[..Pos(b, at)], .. b[Math.Min(b.Length, Pos(b, at) + length)..]]),
        from at in Gen.Double[0, 1]
        from value in Gen.Byte
        select (Func<byte[], byte[]>)(b => b.Length == 0 ? b : [.. b[..Math.Min(b.Length - 1, Pos(b, at))], value, .. b[(Math.Min(b.Length - 1, Pos(b, at)) + 1)..]]),
        from at in Gen.Double[0, 1]
        from length in Gen.Int[1, 30]
        select (Func<byte[], byte[]>)(b => [.. b[..Pos(b, at)], .. b[Pos(b, at)..Math.Min(b.Length, Pos(b, at) + length)], .. b[Pos(b, at)..]]),
        from at in Gen.Double[0, 1]
        select (Func<byte[], byte[]>)(b => b[..Pos(b, at)]));

    private static int Pos(byte[] bytes, double at) => (int)(bytes.Length * at);

    private static readonly byte[] StructuredSeed = Encoding.UTF8.GetBytes(
        """{"specversion":"1.0","id":"s-1","source":"/shop","type":"order.created","subject":"café","time":"2026-11-27T16:00:00Z","datacontenttype":"application/json","amount":150,"priority":true,"data":{"sku":"a-1","qty":[1,2]}}""");

    private static readonly byte[] TextSeed = Encoding.UTF8.GetBytes(
        """{"specversion":"1.0","id":"t-1","source":"/shop","type":"note","datacontenttype":"text/plain","data":"hello ☕"}""");

    private static readonly byte[] Base64Seed = Encoding.UTF8.GetBytes(
        """{"specversion":"1.0","id":"b-1","source":"/shop","type":"blob","datacontenttype":"application/octet-stream","data_base64":"AAECAwQ="}""");

    private static readonly string[] ContentTypes =
    [
        "application/cloudevents+json", "application/cloudevents+json; charset=utf-8", "application/cloudevents+json; charset=latin1",
        "application/cloudevents-batch+json", "application/cloudevents+avro", "text/plain", "application/json", "application/json; charset=utf-16",
    ];

    [Fact]
    public Task Structured_events() =>
        RunAsync(
            from body in Mutated(StructuredSeed, TextSeed, Base64Seed)
            from contentType in Gen.Frequency((8, Gen.Const(ContentTypes[0])), (1, Gen.OneOf(ContentTypes)))
            select new Request(HttpMethod.Post, "/gateway/orders", contentType, body, []));

    [Fact]
    public Task Batches() =>
        RunAsync(
            from body in Mutated([.. "["u8, .. StructuredSeed, .. ","u8, .. TextSeed, .. ","u8, .. Base64Seed, .. "]"u8], "[]"u8.ToArray())
            from contentType in Gen.Frequency((8, Gen.Const(ContentTypes[3])), (1, Gen.OneOf(ContentTypes)))
            select new Request(HttpMethod.Post, "/gateway/orders", contentType, body, []));

    private static readonly (string Name, byte[] Value)[] BinarySeed =
    [
        ("ce-specversion", "1.0"u8.ToArray()), ("ce-id", "b-1"u8.ToArray()), ("ce-source", "/shop"u8.ToArray()), ("ce-type", "order.created"u8.ToArray()),
        ("ce-subject", "caf%C3%A9"u8.ToArray()), ("ce-time", "2026-11-27T16:00:00Z"u8.ToArray()), ("ce-amount", "150"u8.ToArray()),
        ("ce-xvanusdeliverytime", "2026-11-28T12:00:00Z"u8.ToArray()), ("ce-dataschema", "https://example.com/s"u8.ToArray()),
    ];

    [Fact]
    public Task Binary_events() =>
        RunAsync(
            from count in Gen.Int[4, BinarySeed.Length]
            from values in HeaderValues
            from body in Mutated(StructuredSeed[60..120], "hello"u8.ToArray(), [])
            from contentType in Gen.OneOf("text/plain", "application/json", "text/plain; charset=latin1", "application/octet-stream", "bogus", "text/plain; charset=utf-8")
            select new Request(HttpMethod.Post, "/gateway/orders", contentType, body, [.. BinarySeed.Take(count).Select((h, i) => (h.Name, Header(values[i])))]));

    /// <summary>Each seed header's value, now and then mutated.</summary>
    private static readonly Gen<byte[][]> HeaderValues = BinarySeed
        .Select(h => Gen.Frequency((3, Gen.Const(h.Value)), (1, Mutated(h.Value))))
        .Aggregate(Gen.Const(Array.Empty<byte[]>()), (values, next) => from a in values from v in next select (byte[][])[.. a, v]);

    // HTTP forbids CR, LF and NUL in a header value: the client cannot send them, so they are dropped from the mutations.
    private static byte[] Header(byte[] value) => [.. value.Where(b => b is not (0x0d or 0x0a or 0x00))];

    private static readonly byte[] BusSeed = """{"name":"fuzz~","eventlogs":2,"sync":"always","retention":{"age":"7d","bytes":"1MiB"}}"""u8.ToArray();

    private static readonly byte[] SubscriptionSeed = Encoding.UTF8.GetBytes(
        """{"name":"fuzz~","eventbus":"orders","sink":"http://127.0.0.1:9/hook","protocol":"http","mode":"binary","filters":[{"exact":{"type":"order.created"}},{"sql":"amount > 100"},{"prefix":{"source":"/shop"}}],"transformer":{"define":{"sku":"$.data.sku"},"template":"{\"sku\":\"<sku>\"}"},"delivery":{"maxAttempts":5,"backoff":["1s","5s"],"timeout":"10s"},"delay":"5s","sinkHeaders":{"X-Key":"v"}}""");

    private static readonly byte[] ScheduleSeed = Encoding.UTF8.GetBytes(
        """{"name":"fuzz~","eventbus":"orders","cron":"*/5 * * * *","timezone":"Europe/Berlin","event":{"source":"/clock","type":"tick","data":{"n":1},"subject":"s"}}""");

    [Fact]
    public Task Management_documents() =>
        RunAsync(
            from which in Gen.Int[0, 2]
            from body in Mutated(which switch { 0 => BusSeed, 1 => SubscriptionSeed, _ => ScheduleSeed })
            select new Request(HttpMethod.Post, "/api/v1/namespaces/default/" + (which switch { 0 => "eventbuses", 1 => "subscriptions", _ => "schedules" }), "application/json", body, []));

    [Fact]
    public Task Subscription_validation() =>
        RunAsync(
            from body in Mutated(StructuredSeed, TextSeed)
            select new Request(HttpMethod.Post, "/api/v1/namespaces/default/subscriptions/ok/validate", "application/cloudevents+json", body, []));

    /// <summary>One request as it goes on the wire.</summary>
    public sealed record Request(HttpMethod Method, string Path, string ContentType, byte[] Body, (string Name, byte[] Value)[] Headers)
    {
        public override string ToString() =>
            $"{Method} {Path} [{ContentType}] {string.Join(' ', Headers.Select(h => $"{h.Name}:{Convert.ToHexString(h.Value)}"))} body={Convert.ToHexString(Body)}";
    }

    private static async Task RunAsync(Gen<Request> requests)
    {
        await using var host = await GatewayHost.StartAsync();
        await host.CreateBusAsync("orders", eventlogs: 2);
        using (var created = await host.Client.PostAsync("/api/v1/namespaces/default/subscriptions", GatewayHost.Json("""{"name":"ok","eventbus":"orders","sink":"http://127.0.0.1:9/"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Raw bytes in header values reach the wire as they are (one byte per character), as a hand-written client sends them.
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 })
        {
            BaseAddress = host.Client.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

        var statuses = new Dictionary<int, int>();
        await requests.SampleAsync(
            async request =>
            {
                var status = await SendAndCheckAsync(host, client, request);
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            },
            iter: Iterations,
            threads: 1,
            print: r => r.ToString());

        var errors = host.Logs.Lines.Where(l => l.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, "errors logged: " + string.Join(Environment.NewLine, errors.Take(5).Select(e => $"{e.Category}: {e.Message}")));

        // Both outcomes must have been reached, or the fuzzing says nothing about one of them.
        Console.WriteLine("answers: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        Assert.Contains(statuses.Keys, s => s < 300);
        Assert.Contains(statuses.Keys, s => s is >= 400 and < 500);
    }

    private static int _names;

    private static async Task<int> SendAndCheckAsync(GatewayHost host, HttpClient client, Request request)
    {
        var storedBefore = host.Broker.TotalStored;
        var createdBefore = await CreatedAsync(host);

        // '~' in a seed's name becomes a fresh number, so accepted documents keep creating rather than meeting 409.
        var body = request.Body.AsSpan().IndexOf("fuzz~"u8) is var at and >= 0
            ? [.. request.Body[..(at + 4)], .. Encoding.ASCII.GetBytes(Interlocked.Increment(ref _names).ToString(System.Globalization.CultureInfo.InvariantCulture)), .. request.Body[(at + 5)..]]
            : request.Body;
        using var message = new HttpRequestMessage(request.Method, request.Path) { Content = new ByteArrayContent(body) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, Encoding.Latin1.GetString(value));
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(message);
        }
        catch (HttpRequestException refused) when (refused.InnerException is not IOException)
        {
            // The client itself refused to send this one (a header it cannot write): there is nothing to check.
            return 0;
        }

        using var _ = response;
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsByteArrayAsync();
        Assert.True(status < 500, $"{status}: {Encoding.UTF8.GetString(text)}");
        using var answer = JsonDocument.Parse(text);

        var stored = host.Broker.TotalStored - storedBefore;
        var created = await CreatedAsync(host);
        if (status >= 400)
        {
            Assert.Equal(status, answer.RootElement.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(answer.RootElement.GetProperty("detail").GetString()));
            Assert.True(stored == 0, $"a refused request ({status}) stored {stored} events");
            Assert.Equal(createdBefore, created);
            return status;
        }

        if (request.Path.StartsWith("/gateway/", StringComparison.Ordinal))
        {
            Assert.Equal(answer.RootElement.GetProperty("events").GetArrayLength(), stored);
            CheckStored(host);
        }

        return status;
    }

    private static async Task<(int, int, int)> CreatedAsync(GatewayHost host) =>
        ((await host.Broker.ListEventbusesAsync("default")).Count,
         (await host.Subscriptions.ListSubscriptionsAsync("default")).Count,
         (await host.Schedules.ListSchedulesAsync("default")).Count);

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The newest stored events are ones the event format writes and reads back unchanged, with text that is text.</summary>
    private static void CheckStored(GatewayHost host)
    {
        var newest = new[] { 0, 1 }.SelectMany(log => host.Broker.Stored("default", "orders", log).TakeLast(3).Select(s => s.Event))
            .Concat(host.Broker.Held.TakeLast(3).Select(h => h.Event));
        foreach (var e in newest)
        {
            Assert.Equal(e, JsonEventFormat.Decode(JsonEventFormat.Encode(e)));
            string?[] texts = [e.Id, e.Source, e.Type, e.Subject, e.DataContentType, e.DataSchema, .. e.Extensions.Select(x => x.Value.AsText), .. e.Extensions.Select(x => x.Key)];
            foreach (var text in texts.OfType<string>())
            {
                Assert.Null(EventRules.CheckText(text));
                Strict.GetByteCount(text);
            }
        }
    }
}
