using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vanus.Runtime.Broker;
using Vanus.Runtime.Codecs;
using Vanus.Runtime.Events;

namespace Vanus.Operators.Delivery;

/// <summary>
/// Delivers one event per POST to an HTTP sink in CloudEvents binary or structured mode, with the subscription's sink headers
/// and timeout, and classifies the result: 2xx delivered; 429, 5xx, timeouts and connection errors retryable; anything else refused.
/// Thread-safe: one instance serves every concurrent delivery of a subscription.
/// </summary>
internal sealed class HttpDelivery
{
    private const int ErrorBodyChars = 256;

    // Up to four UTF-8 bytes per character: enough bytes for ErrorBodyChars characters of any text.
    private const int ErrorBodyBytes = ErrorBodyChars * 4;

    // Headers that the content mode, the body or the connection decide; a sink header must not override them.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding", "Host", "Connection", "Keep-Alive",
        "Proxy-Connection", "Upgrade", "TE", "Trailer", "Expect",
    };

    private readonly HttpClient _client;
    private readonly Uri _sink;
    private readonly ContentMode _mode;
    private readonly KeyValuePair<string, string>[] _requestHeaders;
    private readonly KeyValuePair<string, string>[] _contentHeaders;
    private readonly TimeSpan _timeout;
    private readonly string _timeoutText;

    /// <summary>Creates a delivery to <paramref name="sink"/>; throws <see cref="ArgumentException"/> naming a sink header that is not allowed.</summary>
    public HttpDelivery(HttpClient client, Uri sink, ContentMode mode, IReadOnlyDictionary<string, string> headers, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(headers);
        if (!sink.IsAbsoluteUri || (sink.Scheme != Uri.UriSchemeHttp && sink.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The sink must be an absolute http or https URL, not '{sink}'.", nameof(sink));
        }

        if (mode is not (ContentMode.Binary or ContentMode.Structured))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "A sink receives one event per request, in binary or structured mode.");
        }

        if (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The delivery timeout must be more than 0 and at most 24 days.");
        }

        if (CheckHeaders(headers) is { } problem)
        {
            throw new ArgumentException($"Sink header '{problem.Header}' {problem.Reason}.", nameof(headers));
        }

        _client = client;
        _sink = sink;
        _mode = mode;
        _timeout = timeout;
        _timeoutText = Units.FormatDuration(timeout);

        // HttpClient keeps request and content headers apart; a content header such as Content-Language must ride on the content.
        var request = new List<KeyValuePair<string, string>>();
        var content = new List<KeyValuePair<string, string>>();
        using (var probe = new HttpRequestMessage())
        {
            foreach (var (name, value) in headers)
            {
                (probe.Headers.TryAddWithoutValidation(name, value) ? request : content).Add(new(name, value));
            }
        }

        _requestHeaders = [.. request];
        _contentHeaders = [.. content];
    }

    /// <summary>The sink this delivers to.</summary>
    public Uri Sink => _sink;

    /// <summary>
    /// The first sink header that delivery cannot send, as (header, reason), or null when all are fine: names must be HTTP tokens,
    /// values ASCII without line breaks; <c>ce-</c> names clash with the event's attributes and framing headers are delivery's own.
    /// </summary>
    public static (string Header, string Reason)? CheckHeaders(IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (string.IsNullOrEmpty(name) || !name.All(IsTokenChar))
            {
                return (name ?? "", "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)");
            }

            if (!seen.Add(name))
            {
                return (name, "appears more than once (header names are case-insensitive)");
            }

            if (name.StartsWith(HttpBinding.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return (name, "would clash with the event's attributes, which delivery sends as ce- headers");
            }

            if (ReservedHeaders.Contains(name))
            {
                return (name, "is set by delivery itself (from the content mode, the event and the connection)");
            }

            if (value is null)
            {
                return (name, "has no value");
            }

            foreach (var c in value)
            {
                if (c is '\r' or '\n' or '\0')
                {
                    return (name, "has a line break or NUL in its value");
                }

                if (c > '\x7e' || (c < ' ' && c != '\t'))
                {
                    return (name, "has a character outside printable ASCII in its value (percent-encode it)");
                }
            }
        }

        return null;
    }

    /// <summary>A handler suited to many concurrent deliveries: no redirects, proxy, cookies or decompression; connections recycled so DNS changes are seen.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        // A 3xx is the sink's answer, classified as refused; following it would POST the event somewhere the user did not name.
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        ConnectTimeout = TimeSpan.FromSeconds(30),

        // Concurrency is bounded by each subscription's in-flight limit. A pool cap was faster on 2 cores (64 connections:
        // 9.7-10.3k events/s against 7.0-8.2k, docs/BENCHMARKS.md), but an attempt waiting for a pooled connection spends
        // its timeout there, so a sink that slows down turned into timeouts and retries instead of backpressure.
        MaxConnectionsPerServer = int.MaxValue,
        EnableMultipleHttp2Connections = true,
    };

    /// <summary>
    /// An HTTP client over <see cref="CreateHandler"/> without a client-wide timeout (each delivery applies its own),
    /// connecting only where <paramref name="policy"/> allows when one is given.
    /// </summary>
    public static HttpClient CreateClient(Outbound.OutboundPolicy? policy = null)
    {
        var handler = CreateHandler();
        policy?.Apply(handler);
        return new(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// POSTs <paramref name="e"/> to the sink and classifies the result. Never throws for what the sink or the network does;
    /// throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<DeliveryOutcome> DeliverAsync(Event e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        cancellationToken.ThrowIfCancellationRequested();
        using var request = CreateRequest(e);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 200 and <= 299)
            {
                return DeliveryOutcome.Delivered;
            }

            var text = await DescribeAsync(response, deadline.Token, cancellationToken).ConfigureAwait(false);
            return status is 429 or >= 500 ? DeliveryOutcome.Retry(text, status) : DeliveryOutcome.Refuse(text, status);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Ours fired, or the client's own timeout if it is shorter than the subscription's.
            var limit = deadline.IsCancellationRequested || _client.Timeout == Timeout.InfiniteTimeSpan ? _timeoutText : Units.FormatDuration(_client.Timeout);
            return DeliveryOutcome.Retry($"timed out after {limit}");
        }
        catch (HttpRequestException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return DeliveryOutcome.Retry(Describe(ex));
        }
        catch (IOException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return DeliveryOutcome.Retry($"connection error: {ex.Message}");
        }
    }

    private static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var text = new StringBuilder("sink answered ").Append(status.ToString(CultureInfo.InvariantCulture));
        var phrase = string.IsNullOrWhiteSpace(response.ReasonPhrase) ? StandardPhrase(status) : response.ReasonPhrase;
        if (phrase is not null)
        {
            text.Append(' ').Append(phrase);
        }

        if (status is >= 300 and <= 399 && response.Headers.Location is { } location)
        {
            text.Append(" (Location: ").Append(location.OriginalString).Append(')');
        }

        var body = await ReadBodyStartAsync(response.Content, deadline, cancellationToken).ConfigureAwait(false);
        if (body.Length > 0)
        {
            text.Append(": ").Append(body);
        }

        return text.ToString();
    }

    // The start of the body, for the error text users see; a body that cannot be read in time is left out, not waited for.
    private static async Task<string> ReadBodyStartAsync(HttpContent content, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var buffer = new byte[ErrorBodyBytes];
        var length = 0;
        var more = false;
        try
        {
            var stream = await content.ReadAsStreamAsync(deadline).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), deadline).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                more = length == buffer.Length;
            }
        }
        catch (Exception ex) when ((ex is OperationCanceledException or IOException or HttpRequestException) && !cancellationToken.IsCancellationRequested)
        {
            // Keep what arrived before the failure.
        }

        var decoded = Encoding.UTF8.GetString(buffer, 0, length);
        var chars = new StringBuilder(Math.Min(decoded.Length, ErrorBodyChars + 1));
        foreach (var c in decoded)
        {
            if (chars.Length == ErrorBodyChars)
            {
                more = true;
                break;
            }

            // One line per error: the text ends up in logs and in a JSON status document.
            chars.Append(char.IsControl(c) ? ' ' : c);
        }

        var result = chars.ToString().Trim();
        return more && result.Length > 0 ? result + "…" : result;
    }

    private static string Describe(HttpRequestException ex)
    {
        var socket = ex.InnerException as SocketException ?? ex.InnerException?.InnerException as SocketException;
        var kind = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.ConnectionReset or SocketError.ConnectionAborted => "connection reset",
            SocketError.TimedOut => "connection timed out",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.NetworkDown => "sink unreachable",
            SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "sink host not found",
            _ => ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "sink host not found",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                HttpRequestError.ConnectionError => "connection failed",
                HttpRequestError.ResponseEnded => "connection closed before the response ended",
                HttpRequestError.InvalidResponse => "invalid HTTP response",
                HttpRequestError.ProxyTunnelError => "proxy tunnel failed",
                _ => "request failed",
            },
        };
        return $"{kind}: {ex.Message}";
    }

    private static string? StandardPhrase(int status) => status switch
    {
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => null,
    };

    private HttpRequestMessage CreateRequest(Event e)
    {
        HttpContent content;
        if (_mode == ContentMode.Structured)
        {
            content = HttpBinding.ToHttpContent(e, ContentMode.Structured);
        }
        else
        {
            // ReadOnlyMemoryContent sends the event's bytes as they are; HttpBinding.ToHttpContent would copy them.
            content = new ReadOnlyMemoryContent(e.Data ?? ReadOnlyMemory<byte>.Empty);
            if (e.DataContentType is { } contentType)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            foreach (var (name, value) in HttpBinding.EncodeBinaryHeaders(e))
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        foreach (var (name, value) in _contentHeaders)
        {
            content.Headers.TryAddWithoutValidation(name, value);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _sink) { Content = content };
        foreach (var (name, value) in _requestHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
