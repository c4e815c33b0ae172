namespace Vanus.Gateway;

/// <summary>Limits and settings of the HTTP gateway and management API; copied when the gateway is added.</summary>
public sealed record GatewayOptions
{
    /// <summary>Largest event accepted, in bytes (data plus attribute names and values); larger events answer 413.</summary>
    public int MaxEventBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest ingest request body accepted, in bytes; larger requests answer 413 without being read to the end.</summary>
    public int MaxRequestBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Ingest requests handled at once; one more answers 429.</summary>
    public int MaxConcurrentIngests { get; init; } = 1024;

    /// <summary>Request-body bytes the gateway holds at once across all ingest requests; a request that would exceed it answers 429.</summary>
    public long MaxBufferedBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest management document (create requests) accepted, in bytes.</summary>
    public int MaxDocumentBytes { get; init; } = 64 * 1024;

    /// <summary>Most events one read by offset returns; <c>count</c> above it answers 400.</summary>
    public int MaxReadCount { get; init; } = 1000;

    /// <summary>Events a read by offset returns when the request gives no <c>count</c>.</summary>
    public int DefaultReadCount { get; init; } = 10;

    /// <summary>What 429 and 503 answers put in <c>Retry-After</c> (rounded up to whole seconds).</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The bootstrap admin token (DESIGN §7). When set, every route but <c>/healthz</c> and <c>/readyz</c> needs a bearer
    /// token with a role that allows it; when null, authentication is off (a loopback-only node).
    /// </summary>
    public string? AdminToken { get; init; }

    /// <summary>
    /// Host names a node without tokens answers to besides loopback ones (its bound address, say): any other <c>Host</c> is
    /// refused, so a web page cannot reach it by rebinding its own name to 127.0.0.1. Null: any host (<c>--insecure</c>).
    /// </summary>
    public IReadOnlyList<string>? TrustedHosts { get; init; } = [];

    /// <summary>Browser origins (such as <c>https://console.example.com</c>) allowed to call the node besides its own.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Pull requests that may wait for events at once on this node; one more that would wait answers 429.</summary>
    public int MaxLongPolls { get; init; } = 1024;

    /// <summary>Where sinks may be reached: a sink that is a refused literal address is refused in the document (400, field <c>sink</c>).</summary>
    public Vanus.Operators.Outbound.OutboundPolicy Outbound { get; init; } = new();

    /// <summary>The clock that times appends for the latency histogram.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        Positive(MaxEventBytes, nameof(MaxEventBytes));
        Positive(MaxRequestBytes, nameof(MaxRequestBytes));
        Positive(MaxConcurrentIngests, nameof(MaxConcurrentIngests));
        Positive(MaxBufferedBytes, nameof(MaxBufferedBytes));
        Positive(MaxDocumentBytes, nameof(MaxDocumentBytes));
        Positive(MaxReadCount, nameof(MaxReadCount));
        Positive(DefaultReadCount, nameof(DefaultReadCount));
        Positive(MaxLongPolls, nameof(MaxLongPolls));
        if (MaxRequestBytes < MaxEventBytes)
        {
            throw new ArgumentException($"{nameof(MaxRequestBytes)} ({MaxRequestBytes}) must be at least {nameof(MaxEventBytes)} ({MaxEventBytes}).", nameof(MaxRequestBytes));
        }

        if (MaxBufferedBytes < MaxRequestBytes)
        {
            throw new ArgumentException($"{nameof(MaxBufferedBytes)} ({MaxBufferedBytes}) must be at least {nameof(MaxRequestBytes)} ({MaxRequestBytes}), or the largest request could never be taken.", nameof(MaxBufferedBytes));
        }

        if (DefaultReadCount > MaxReadCount)
        {
            throw new ArgumentException($"{nameof(DefaultReadCount)} ({DefaultReadCount}) must not exceed {nameof(MaxReadCount)} ({MaxReadCount}).", nameof(DefaultReadCount));
        }

        if (RetryAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(RetryAfter)} must be positive (got {RetryAfter}).", nameof(RetryAfter));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (AdminToken is { Length: < 16 })
        {
            throw new ArgumentException($"{nameof(AdminToken)} must be at least 16 characters long (got {AdminToken.Length}).", nameof(AdminToken));
        }

        ArgumentNullException.ThrowIfNull(AllowedOrigins, nameof(AllowedOrigins));
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive (got {value}).", name);
        }
    }
}
