using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Vanus.Operators.Delivery;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Tests.Delivery;

/// <summary>HTTP delivery against a real receiver on loopback: what arrives in each mode, and how every kind of answer is classified.</summary>
public sealed class HttpDeliveryTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> NoHeaders = [];

    private static readonly Event Order = new Event("order-42", "/shop/eu", "order.created")
    {
        Subject = "orders/42",
        Time = new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero),
        DataContentType = "application/json",
        Data = Encoding.UTF8.GetBytes("""{"id":"o-42","amount":150}"""),
    }
        .WithExtension("partitionkey", AttributeValue.FromString("customer-7"))
        .WithExtension("xvanuseventbus", AttributeValue.FromString("orders"))
        .WithExtension("xvanuseventlog", AttributeValue.FromInteger(0))
        .WithExtension("xvanusoffset", AttributeValue.FromInteger(42));

    private readonly HttpClient _client = HttpDelivery.CreateClient();
    private SinkReceiver _sink = null!;

    public async Task InitializeAsync() => _sink = await SinkReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _sink.DisposeAsync();
        _client.Dispose();
    }

    private HttpDelivery Delivery(ContentMode mode = ContentMode.Binary, IReadOnlyDictionary<string, string>? headers = null, TimeSpan? timeout = null) =>
        new(_client, _sink.Url, mode, headers ?? NoHeaders, timeout ?? TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Binary_mode_sends_attributes_as_ce_headers_and_data_as_the_body()
    {
        Assert.Equal(DeliveryOutcome.Delivered, await Delivery().DeliverAsync(Order, CancellationToken.None));

        var request = Assert.Single(_sink.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hook", request.Path);
        Assert.Equal("1.0", request.Header("ce-specversion"));
        Assert.Equal("order-42", request.Header("ce-id"));
        Assert.Equal("/shop/eu", request.Header("ce-source"));
        Assert.Equal("order.created", request.Header("ce-type"));
        Assert.Equal("orders/42", request.Header("ce-subject"));
        Assert.Equal("2026-11-27T16:00:00Z", request.Header("ce-time"));
        Assert.Equal("customer-7", request.Header("ce-partitionkey"));
        Assert.Equal("orders", request.Header("ce-xvanuseventbus"));
        Assert.Equal("0", request.Header("ce-xvanuseventlog"));
        Assert.Equal("42", request.Header("ce-xvanusoffset"));
        Assert.Null(request.Header("ce-datacontenttype"));
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(Order.Data!.Value.ToArray(), request.Body);

        // What the receiver got reads back as the same event through the binding.
        var decoded = HttpBinding.DecodeBinary(request.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, [h.Value])), request.ContentType, request.Body);
        Assert.Equal(Order.Id, decoded.Id);
        Assert.Equal(Order.Subject, decoded.Subject);
        Assert.Equal(Order.Time, decoded.Time);
        Assert.Equal(Order.DataText, decoded.DataText);
    }

    [Fact]
    public async Task Binary_mode_percent_encodes_header_values_and_sends_no_body_for_an_event_without_data()
    {
        var e = new Event("ïd 1", "/src", "t") { Subject = "naïve \"quoted\"" };
        Assert.Equal(DeliveryOutcome.Delivered, await Delivery().DeliverAsync(e, CancellationToken.None));

        var request = Assert.Single(_sink.Requests);
        Assert.Empty(request.Body);
        Assert.Null(request.ContentType);
        var decoded = HttpBinding.DecodeBinary(request.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, [h.Value])), request.ContentType, request.Body);
        Assert.Equal(e, decoded);
    }

    [Fact]
    public async Task Structured_mode_sends_the_event_as_cloudevents_json()
    {
        Assert.Equal(DeliveryOutcome.Delivered, await Delivery(ContentMode.Structured).DeliverAsync(Order, CancellationToken.None));

        var request = Assert.Single(_sink.Requests);
        Assert.StartsWith("application/cloudevents+json", request.ContentType);
        Assert.DoesNotContain(request.Headers.Keys, k => k.StartsWith("ce-", StringComparison.OrdinalIgnoreCase));
        var decoded = JsonEventFormat.Decode(request.Body);
        Assert.Equal(Order.Id, decoded.Id);
        Assert.Equal(Order.DataText, decoded.DataText);
        Assert.Equal("42", decoded.Extensions.TryGet("xvanusoffset", out var offset) ? offset.ToString() : null);
    }

    [Fact]
    public async Task Sink_headers_are_sent_request_and_content_headers_alike()
    {
        var headers = new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer s3cret",
            ["X-Api-Key"] = "k-1",
            ["Content-Language"] = "en",
        };
        foreach (var mode in new[] { ContentMode.Binary, ContentMode.Structured })
        {
            Assert.Equal(DeliveryOutcome.Delivered, await Delivery(mode, headers).DeliverAsync(Order, CancellationToken.None));
        }

        Assert.Equal(2, _sink.Requests.Count);
        Assert.All(_sink.Requests, request =>
        {
            Assert.Equal("Bearer s3cret", request.Header("Authorization"));
            Assert.Equal("k-1", request.Header("X-Api-Key"));
            Assert.Equal("en", request.Header("Content-Language"));
        });
    }

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(202)]
    [InlineData(204)]
    public async Task Two_hundreds_are_delivered(int status)
    {
        _sink.Handler = c => Answer(c, status, status == 204 ? "" : "ok");
        Assert.Equal(DeliveryOutcome.Delivered, await Delivery().DeliverAsync(Order, CancellationToken.None));
    }

    [Theory]
    [InlineData(500, "sink answered 500 Internal Server Error: boom")]
    [InlineData(502, "sink answered 502 Bad Gateway: boom")]
    [InlineData(503, "sink answered 503 Service Unavailable: boom")]
    [InlineData(429, "sink answered 429 Too Many Requests: boom")]
    public async Task Server_errors_and_429_are_retryable(int status, string error)
    {
        _sink.Handler = c => Answer(c, status, "boom");
        Assert.Equal(DeliveryOutcome.Retry(error, status), await Delivery().DeliverAsync(Order, CancellationToken.None));
    }

    [Theory]
    [InlineData(400, "sink answered 400 Bad Request: boom")]
    [InlineData(401, "sink answered 401 Unauthorized: boom")]
    [InlineData(404, "sink answered 404 Not Found: boom")]
    [InlineData(410, "sink answered 410 Gone: boom")]
    [InlineData(422, "sink answered 422 Unprocessable Entity: boom")]
    public async Task Other_client_errors_are_refused(int status, string error)
    {
        _sink.Handler = c => Answer(c, status, "boom");
        Assert.Equal(DeliveryOutcome.Refuse(error, status), await Delivery().DeliverAsync(Order, CancellationToken.None));
    }

    [Fact]
    public async Task A_redirect_is_not_followed_but_refused_with_its_location()
    {
        _sink.Handler = c =>
        {
            c.Response.Headers.Location = "http://127.0.0.1:1/elsewhere";
            return Answer(c, 307, "");
        };
        var outcome = await Delivery().DeliverAsync(Order, CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Refuse("sink answered 307 Temporary Redirect (Location: http://127.0.0.1:1/elsewhere)", 307), outcome);
        Assert.Single(_sink.Requests);
    }

    [Fact]
    public async Task The_error_keeps_the_first_256_characters_of_the_body_on_one_line()
    {
        var body = "line one\r\nline two " + new string('x', 1000);
        _sink.Handler = c => Answer(c, 400, body);
        var outcome = await Delivery().DeliverAsync(Order, CancellationToken.None);
        var prefix = "sink answered 400 Bad Request: ";
        Assert.StartsWith(prefix + "line one  line two xxx", outcome.Error);
        Assert.EndsWith("x…", outcome.Error);
        Assert.Equal(prefix.Length + 256 + 1, outcome.Error!.Length);
    }

    [Fact]
    public async Task A_sink_that_never_answers_times_out_as_retryable()
    {
        _sink.Handler = _sink.HangAsync;
        var outcome = await Delivery(timeout: TimeSpan.FromMilliseconds(200)).DeliverAsync(Order, CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Retry("timed out after 200ms"), outcome);
    }

    [Fact]
    public async Task A_closed_port_is_a_retryable_connection_refused()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }

        var delivery = new HttpDelivery(_client, new Uri($"http://127.0.0.1:{port}/hook"), ContentMode.Binary, NoHeaders, TimeSpan.FromSeconds(30));
        var outcome = await delivery.DeliverAsync(Order, CancellationToken.None);
        Assert.Equal(DeliveryOutcomeKind.Retryable, outcome.Kind);
        Assert.StartsWith("connection refused: ", outcome.Error);
        Assert.Null(outcome.StatusCode);
    }

    [Fact]
    public async Task A_connection_dropped_mid_request_is_retryable()
    {
        _sink.Handler = c =>
        {
            c.Abort();
            return Task.CompletedTask;
        };
        var outcome = await Delivery().DeliverAsync(Order, CancellationToken.None);
        Assert.Equal(DeliveryOutcomeKind.Retryable, outcome.Kind);
        Assert.Null(outcome.StatusCode);
        Assert.False(string.IsNullOrEmpty(outcome.Error));
    }

    [Fact]
    public async Task Caller_cancellation_propagates_instead_of_being_classified()
    {
        _sink.Handler = _sink.HangAsync;
        using var cts = new CancellationTokenSource();
        var delivering = Delivery().DeliverAsync(Order, cts.Token);
        await _sink.RequestArrived;
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => delivering);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Delivery().DeliverAsync(Order, cts.Token));
    }

    [Fact]
    public async Task Many_concurrent_deliveries_share_one_instance()
    {
        var delivery = Delivery();
        var events = Enumerable.Range(0, 200).Select(i => Order with { Id = "e-" + i }).ToList();
        var outcomes = await Task.WhenAll(events.Select(e => delivery.DeliverAsync(e, CancellationToken.None)));
        Assert.All(outcomes, o => Assert.Equal(DeliveryOutcome.Delivered, o));
        Assert.Equal(events.Select(e => e.Id).Order(), _sink.Requests.Select(r => r.Header("ce-id")!).Order());
    }

    [Theory]
    [InlineData("ce-id", "would clash with the event's attributes")]
    [InlineData("CE-Source", "would clash with the event's attributes")]
    [InlineData("Content-Type", "is set by delivery itself")]
    [InlineData("content-length", "is set by delivery itself")]
    [InlineData("Host", "is set by delivery itself")]
    [InlineData("Transfer-Encoding", "is set by delivery itself")]
    [InlineData("Bad Name", "is not a valid header name")]
    [InlineData("X-Ok:", "is not a valid header name")]
    public void Sink_headers_that_would_break_the_request_are_refused_by_name(string name, string reason)
    {
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer x", [name] = "v" };
        var ex = Assert.Throws<ArgumentException>(() => Delivery(headers: headers));
        Assert.Contains($"Sink header '{name}' {reason}", ex.Message);
        Assert.Equal(name, HttpDelivery.CheckHeaders(headers)!.Value.Header);
    }

    [Theory]
    [InlineData("a\r\nInjected: yes", "has a line break or NUL in its value")]
    [InlineData("caf\u00e9", "has a character outside printable ASCII in its value")]
    public void Sink_header_values_must_be_one_line_of_ascii(string value, string reason)
    {
        var headers = new Dictionary<string, string> { ["X-Note"] = value };
        Assert.Equal("X-Note", HttpDelivery.CheckHeaders(headers)!.Value.Header);
        Assert.StartsWith(reason, HttpDelivery.CheckHeaders(headers)!.Value.Reason);
        Assert.Throws<ArgumentException>(() => Delivery(headers: headers));
    }

    [Fact]
    public void Sink_headers_differing_only_in_case_are_refused()
    {
        var headers = new Dictionary<string, string> { ["X-Key"] = "1", ["x-key"] = "2" };
        Assert.Equal(("x-key", "appears more than once (header names are case-insensitive)"), HttpDelivery.CheckHeaders(headers));
        Assert.Null(HttpDelivery.CheckHeaders(new Dictionary<string, string> { ["Authorization"] = "Bearer a.b-c", ["X-Tab"] = "a\tb" }));
    }

    [Fact]
    public void Bad_construction_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new HttpDelivery(_client, new Uri("/relative", UriKind.Relative), ContentMode.Binary, NoHeaders, TimeSpan.FromSeconds(1)));
        Assert.Contains("absolute http or https URL", Assert.Throws<ArgumentException>(() => new HttpDelivery(_client, new Uri("ftp://127.0.0.1/x"), ContentMode.Binary, NoHeaders, TimeSpan.FromSeconds(1))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpDelivery(_client, _sink.Url, ContentMode.Batch, NoHeaders, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpDelivery(_client, _sink.Url, ContentMode.Binary, NoHeaders, TimeSpan.Zero));
        Assert.Throws<ArgumentNullException>(() => new HttpDelivery(null!, _sink.Url, ContentMode.Binary, NoHeaders, TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData(5000, "5s")]
    [InlineData(200, "200ms")]
    [InlineData(1500, "1500ms")]
    [InlineData(120_000, "2m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(90_000, "90s")]
    public void Timeouts_are_written_as_the_subscription_document_writes_durations(int milliseconds, string text) =>
        Assert.Equal(text, Units.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void The_handler_neither_follows_redirects_nor_uses_proxies_cookies_or_decompression()
    {
        using var handler = HttpDelivery.CreateHandler();
        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseProxy);
        Assert.False(handler.UseCookies);
        Assert.Equal(DecompressionMethods.None, handler.AutomaticDecompression);
        Assert.True(handler.PooledConnectionLifetime > TimeSpan.Zero && handler.PooledConnectionLifetime != Timeout.InfiniteTimeSpan);
        Assert.Equal(int.MaxValue, handler.MaxConnectionsPerServer);
        Assert.Equal(Timeout.InfiniteTimeSpan, _client.Timeout);
    }

    private static async Task Answer(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        if (body.Length > 0)
        {
            await context.Response.WriteAsync(body);
        }
    }
}
