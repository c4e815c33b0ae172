using System.Globalization;
using System.Text.Json;
using Vanus.Cluster;
using Vanus.Gateway;
using Vanus.Runtime.Broker;
using Vanus.Storage;
using Vanus.Storage.Tiers;

namespace Vanus.Cli.Node;

/// <summary>
/// The settings of <c>vanus node</c>, each taken from its flag, else its environment variable, else the config file, else
/// its default; a bad value is refused naming where it came from.
/// </summary>
internal sealed class NodeSettings
{
    /// <summary>Every setting: the flag (also the config file's key), the environment variable and what it does.</summary>
    public static readonly IReadOnlyList<Setting> All =
    [
        new("port", "VANUS_PORT", "The HTTP port (0 takes any free port)", "8080"),
        new("bind", "VANUS_BIND", "The address HTTP listens on; expose the node beyond this machine on purpose", "127.0.0.1"),
        new("data", "VANUS_DATA", "The data folder (catalog and segment files)", "./data"),
        new("warm-dir", "VANUS_WARM_DIR", "The warm tier's folder (an HDD, say); sealed segments move there from the data folder", null),
        new("cold-dir", "VANUS_COLD_DIR", "A folder used as the cold tier's object store", null),
        new("cold-s3-endpoint", "VANUS_COLD_S3_ENDPOINT", "The S3 endpoint of the cold tier (path-style addressing)", null),
        new("cold-s3-bucket", "VANUS_COLD_S3_BUCKET", "The cold tier's S3 bucket", null),
        new("cold-s3-access-key", "VANUS_COLD_S3_ACCESS_KEY", "The cold tier's S3 access key", null),
        new("cold-s3-secret-key", "VANUS_COLD_S3_SECRET_KEY", "The cold tier's S3 secret key", null),
        new("cold-s3-region", "VANUS_COLD_S3_REGION", "The cold tier's S3 region", "us-east-1"),
        new("hot-max-age", "VANUS_HOT_MAX_AGE", "Move sealed segments out of the hot tier after this age, such as 1h", null),
        new("hot-max-bytes", "VANUS_HOT_MAX_BYTES", "Keep the hot tier under this size per eventlog, such as 10GB", null),
        new("warm-max-age", "VANUS_WARM_MAX_AGE", "Move warm segments to the cold tier after this age, such as 7d", null),
        new("warm-max-bytes", "VANUS_WARM_MAX_BYTES", "Keep the warm tier under this size per eventlog", null),
        new("name", "VANUS_NAME", "The node's name in the cluster, kept across restarts: replicas are placed on nodes by name (default: cluster host:port)", null),
        new("cluster-host", "VANUS_CLUSTER_HOST", "The cluster transport's address", "127.0.0.1"),
        new("cluster-port", "VANUS_CLUSTER_PORT", "The cluster transport's port (0 takes any free port)", "0"),
        new("seeds", "VANUS_SEEDS", "Comma-separated cluster addresses to join (none: a one-member cluster)", null),
        new("max-event-bytes", "VANUS_MAX_EVENT_BYTES", "The largest event ingest accepts, such as 1MB", null),
        new("max-request-bytes", "VANUS_MAX_REQUEST_BYTES", "The largest ingest request, such as 16MB", null),
        new("segment-size", "VANUS_SEGMENT_SIZE", "The size at which an eventlog's segment is sealed, such as 16MB (default 64 MiB); each segment takes it on disk from its first append", null),
        new("max-pending-bytes", "VANUS_MAX_PENDING_BYTES", "Bytes of appends in flight on the node before ingest answers 429", null),
        new("max-eventbuses", "VANUS_MAX_EVENTBUSES", "The most eventbuses the cluster takes", "10000"),
        new("max-subscriptions", "VANUS_MAX_SUBSCRIPTIONS", "The most subscriptions the cluster takes", "10000"),
        new("max-schedules", "VANUS_MAX_SCHEDULES", "The most schedules the cluster takes", "10000"),
        new("max-long-polls", "VANUS_MAX_LONG_POLLS", "Pull requests waiting at once on this node; one more answers 429", "1024"),
        new("log-format", "VANUS_LOG_FORMAT", "Log lines as text or json", "text"),
        new("admin-token-file", "VANUS_ADMIN_TOKEN_FILE", "A file holding the bootstrap admin token (or set VANUS_ADMIN_TOKEN); with it every call needs a token", null),
        new("insecure", "VANUS_INSECURE", "Serve an address beyond loopback without tokens (a node on a trusted network only)", null) { Switch = true },
        new("sink-allow", "VANUS_SINK_ALLOW", "Comma-separated CIDR networks sinks may be in (default: any the fixed rules leave)", null),
        new("sink-deny", "VANUS_SINK_DENY", "Comma-separated CIDR networks sinks may not be in", null),
        new("tls-cert", "VANUS_TLS_CERT", "A PEM certificate (chain) to serve HTTPS with; needs --tls-key", null),
        new("tls-key", "VANUS_TLS_KEY", "The PEM private key of --tls-cert", null),
        new("cluster-tls-cert", "VANUS_CLUSTER_TLS_CERT", "A PFX certificate every node holds: the cluster transport runs TLS and takes only nodes with it", null),
        new("cluster-tls-password", "VANUS_CLUSTER_TLS_PASSWORD", "The password of --cluster-tls-cert, if it has one", null),
        new("allowed-origins", "VANUS_ALLOWED_ORIGINS", "Comma-separated browser origins allowed to call the node besides its own", null),
    ];

    private readonly Dictionary<string, (string Value, string Source)> _values;

    private readonly Func<string, string?> _environment;

    private NodeSettings(Dictionary<string, (string Value, string Source)> values, Func<string, string?> environment)
    {
        _values = values;
        _environment = environment;
    }

    /// <summary>One setting of the node.</summary>
    public sealed record Setting(string Name, string EnvironmentVariable, string Description, string? Default)
    {
        /// <summary>A flag that takes no value: present means "true".</summary>
        public bool Switch { get; init; }
    }

    /// <summary>Resolves every setting from the given flags, the environment and the config file (flag, then variable, then file).</summary>
    public static NodeSettings Resolve(IReadOnlyDictionary<string, string> flags, Func<string, string?> environment, string? configFlag)
    {
        var values = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        var configPath = configFlag ?? environment("VANUS_CONFIG");
        var file = configPath is null ? null : ReadConfig(configPath);
        foreach (var setting in All)
        {
            if (flags.TryGetValue(setting.Name, out var flag))
            {
                values[setting.Name] = (flag, $"--{setting.Name}");
            }
            else if (environment(setting.EnvironmentVariable) is { Length: > 0 } env)
            {
                values[setting.Name] = (env, setting.EnvironmentVariable);
            }
            else if (file is not null && file.TryGetValue(setting.Name, out var fromFile))
            {
                values[setting.Name] = (fromFile, $"'{setting.Name}' in {configPath}");
            }
            else if (setting.Default is { } fallback)
            {
                values[setting.Name] = (fallback, $"the default of --{setting.Name}");
            }
        }

        return new NodeSettings(values, environment);
    }

    private static Dictionary<string, string> ReadConfig(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NodeSettingsException($"cannot read the config file {path}: {ex.Message}");
        }

        var known = All.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new NodeSettingsException($"the config file {path} must hold a JSON object of settings, such as {{\"port\": 8080}}");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!known.Contains(property.Name))
                {
                    throw new NodeSettingsException($"the config file {path} has an unknown setting '{property.Name}' (settings: {string.Join(", ", known)})");
                }

                result[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString()!,
                    JsonValueKind.Number => property.Value.GetRawText(),
                    JsonValueKind.Array when property.Name == "seeds" => string.Join(',', property.Value.EnumerateArray().Select(e => e.GetString())),
                    _ => throw new NodeSettingsException($"'{property.Name}' in {path} must be a string or a number, not {property.Value.ValueKind}"),
                };
            }
        }
        catch (JsonException ex)
        {
            throw new NodeSettingsException($"the config file {path} is not valid JSON: {ex.Message}");
        }

        return result;
    }

    public int Port => Int("port", 0, 65535);

    public string Bind => Get("bind")!;

    public string DataDirectory => Path.GetFullPath(Get("data")!);

    public string LogFormat => OneOf("log-format", "text", "json");

    private Vanus.Operators.Outbound.OutboundPolicy? _outbound;

    /// <summary>The one outbound address policy of this node, shared by the gateway's document checks and every delivery.</summary>
    public Vanus.Operators.Outbound.OutboundPolicy Outbound => _outbound ??= new(Networks("sink-allow"), Networks("sink-deny"));

    private IReadOnlyList<System.Net.IPNetwork> Networks(string name) =>
        Vanus.Operators.Outbound.OutboundPolicy.ParseNetworks(Get(name), out var error) ?? throw new NodeSettingsException($"{Source(name)}: {error}");

    /// <summary>True when the node may serve a non-loopback address without tokens.</summary>
    public bool Insecure => Get("insecure") is { } value && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1"
        || (!value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "0" ? throw new NodeSettingsException($"{Source("insecure")} must be true or false, not '{value}'") : false));

    /// <summary>The HTTPS certificate from --tls-cert and --tls-key, or null to serve plain HTTP.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate()
    {
        var cert = Get("tls-cert");
        var key = Get("tls-key");
        if (cert is null && key is null)
        {
            return null;
        }

        if (cert is null || key is null)
        {
            throw new NodeSettingsException($"HTTPS needs both --tls-cert and --tls-key (got only {(cert is null ? Source("tls-key") : Source("tls-cert"))})");
        }

        try
        {
            return System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(cert, key);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new NodeSettingsException($"cannot load the HTTPS certificate {cert} ({Source("tls-cert")}) with key {key} ({Source("tls-key")}): {ex.Message}");
        }
    }

    private System.Security.Cryptography.X509Certificates.X509Certificate2? ClusterCertificate()
    {
        if (Get("cluster-tls-cert") is not { } path)
        {
            return null;
        }

        try
        {
            var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(path, Get("cluster-tls-password"));
            return certificate.HasPrivateKey
                ? certificate
                : throw new NodeSettingsException($"the cluster certificate {path} ({Source("cluster-tls-cert")}) holds no private key: export it with its key");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new NodeSettingsException($"cannot load the cluster certificate {path} ({Source("cluster-tls-cert")}): {ex.Message}");
        }
    }

    /// <summary>The bootstrap admin token: VANUS_ADMIN_TOKEN, else the first line of --admin-token-file; null when neither is set.</summary>
    public string? AdminToken
    {
        get
        {
            if (_environment("VANUS_ADMIN_TOKEN") is { Length: > 0 } direct)
            {
                return CheckToken(direct.Trim(), "VANUS_ADMIN_TOKEN");
            }

            if (Get("admin-token-file") is not { } path)
            {
                return null;
            }

            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new NodeSettingsException($"cannot read the admin token file {path} ({Source("admin-token-file")}): {ex.Message}");
            }

            return CheckToken(text.Split('\n', 2)[0].Trim(), $"the admin token file {path}");
        }
    }

    private static string CheckToken(string token, string where) =>
        token.Length >= 16 && token.All(c => c is > ' ' and < '\u007f')
            ? token
            : throw new NodeSettingsException($"{where} must hold a token of at least 16 printable ASCII characters (such as the output of 'openssl rand -hex 32')");

    /// <summary>
    /// Refuses to serve an address other than loopback without tokens, unless --insecure says so on purpose: anyone who
    /// can reach such a port could otherwise create a subscription that ships every event elsewhere.
    /// </summary>
    public void CheckExposure(System.Net.IPAddress? address)
    {
        var cluster = Get("cluster-host")!;
        if (!Insecure && Get("cluster-tls-cert") is null
            && !(cluster == "localhost" || (System.Net.IPAddress.TryParse(cluster, out var clusterAddress) && System.Net.IPAddress.IsLoopback(clusterAddress))))
        {
            // Whoever reaches a plain cluster port is a member: tokens would not stop it from writing the catalog.
            throw new NodeSettingsException(
                $"{Source("cluster-host")} is {cluster}, which other machines can reach, and the cluster transport is plain TCP: give every node --cluster-tls-cert so only they can join, or pass --insecure on a trusted network");
        }

        if (address is null || System.Net.IPAddress.IsLoopback(address) || AdminToken is not null || Insecure)
        {
            return;
        }

        throw new NodeSettingsException(
            $"{Source("bind")} is {address}, which other machines can reach, and no token protects the node: set VANUS_ADMIN_TOKEN (or --admin-token-file) to require tokens, or pass --insecure to serve it open on purpose");
    }

    /// <summary>The cluster node's options.</summary>
    public NodeOptions ToNodeOptions()
    {
        var seeds = Get("seeds") is { } s ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        if (Get("name") is { } name && NodeOptions.NameProblem(name) is { } problem)
        {
            throw new NodeSettingsException($"{Source("name")} is '{name}', which {problem}");
        }

        var options = new NodeOptions
        {
            DataDirectory = DataDirectory,
            Name = Get("name"),
            ClusterHost = Get("cluster-host")!,
            ClusterPort = Int("cluster-port", 0, 65535),
            Seeds = seeds,
            Tiers = Tiers(),
            Outbound = Outbound,
            ClusterCertificate = ClusterCertificate(),
            MaxEventbuses = Int("max-eventbuses", 1, int.MaxValue),
            MaxSubscriptions = Int("max-subscriptions", 1, int.MaxValue),
            MaxSchedules = Int("max-schedules", 1, int.MaxValue),
            SegmentSize = SegmentSize(),
        };
        return Size("max-pending-bytes") is { } pending ? options with { MaxPendingBytes = pending } : options;
    }

    /// <summary>The gateway's options.</summary>
    public GatewayOptions ToGatewayOptions()
    {
        var origins = Get("allowed-origins") is { } o ? o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        foreach (var origin in origins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var url) || url.AbsolutePath != "/" || origin.EndsWith('/'))
            {
                throw new NodeSettingsException($"{Source("allowed-origins")} must list origins such as https://console.example.com (scheme, host and port only), not '{origin}'");
            }
        }

        var options = new GatewayOptions
        {
            AdminToken = AdminToken,
            AllowedOrigins = origins,
            Outbound = Outbound,
            MaxLongPolls = Int("max-long-polls", 1, int.MaxValue),

            // Without tokens the node answers to its bound address and loopback names; --insecure serves any name on purpose.
            TrustedHosts = Insecure ? null : [Bind],
        };
        if (Size("max-event-bytes") is { } perEvent)
        {
            options = options with { MaxEventBytes = checked((int)Math.Min(perEvent, int.MaxValue)) };
        }

        if (Size("max-request-bytes") is { } perRequest)
        {
            options = options with { MaxRequestBytes = checked((int)Math.Min(perRequest, int.MaxValue)) };
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new NodeSettingsException($"the ingest limits do not fit together: {ex.Message}");
        }

        return options;
    }

    /// <summary>A one-line description of where the node stores (for the start-up summary).</summary>
    public string DescribeStorage()
    {
        var parts = new List<string> { $"data in {DataDirectory}" };
        if (Get("warm-dir") is { } warm)
        {
            parts.Add($"warm tier in {Path.GetFullPath(warm)}");
        }

        if (Get("cold-dir") is { } cold)
        {
            parts.Add($"cold tier in {Path.GetFullPath(cold)}");
        }
        else if (Get("cold-s3-endpoint") is { } endpoint)
        {
            parts.Add($"cold tier in s3 bucket {Get("cold-s3-bucket")} at {endpoint}");
        }

        return string.Join(", ", parts);
    }

    private TierOptions? Tiers()
    {
        var warm = Get("warm-dir");
        var coldDir = Get("cold-dir");
        var s3Endpoint = Get("cold-s3-endpoint");
        if (coldDir is not null && s3Endpoint is not null)
        {
            throw new NodeSettingsException($"the cold tier is either a folder ({Source("cold-dir")}) or S3 ({Source("cold-s3-endpoint")}), not both");
        }

        IObjectStore? cold = null;
        if (coldDir is not null)
        {
            cold = ObjectStores.Directory(Path.GetFullPath(coldDir));
        }
        else if (s3Endpoint is not null)
        {
            if (!Uri.TryCreate(s3Endpoint, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new NodeSettingsException($"{Source("cold-s3-endpoint")} must be an http:// or https:// URL, not '{s3Endpoint}'");
            }

            var bucket = Get("cold-s3-bucket") ?? throw new NodeSettingsException("an S3 cold tier needs --cold-s3-bucket (or VANUS_COLD_S3_BUCKET)");
            cold = ObjectStores.S3(new S3StoreOptions(url, bucket)
            {
                AccessKey = Get("cold-s3-access-key") ?? "",
                SecretKey = Get("cold-s3-secret-key") ?? "",
                Region = Get("cold-s3-region")!,
            });
        }

        var hotAge = Duration("hot-max-age");
        var hotBytes = Size("hot-max-bytes");
        var warmAge = Duration("warm-max-age");
        var warmBytes = Size("warm-max-bytes");
        if (warm is null && cold is null)
        {
            if (hotAge is not null || hotBytes is not null || warmAge is not null || warmBytes is not null)
            {
                throw new NodeSettingsException("tier ages and budgets need a warm folder (--warm-dir) or a cold store (--cold-dir or --cold-s3-endpoint) to move segments to");
            }

            return null;
        }

        return new TierOptions
        {
            WarmDirectory = warm is null ? null : Path.GetFullPath(warm),
            ColdStore = cold,
            HotMaxAge = hotAge,
            HotMaxBytes = hotBytes,
            WarmMaxAge = warmAge,
            WarmMaxBytes = warmBytes,
            CacheDirectory = cold is null ? null : Path.Combine(DataDirectory, "cold-cache"),
        };
    }

    private string? Get(string name) => _values.TryGetValue(name, out var v) ? v.Value : null;

    private string Source(string name) => _values.TryGetValue(name, out var v) ? v.Source : $"--{name}";

    private int Int(string name, int min, int max)
    {
        var text = Get(name)!;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new NodeSettingsException($"{Source(name)} must be a whole number from {min} to {max}, not '{text}'");
        }

        return value;
    }

    private string OneOf(string name, params string[] allowed)
    {
        var text = Get(name)!;
        return allowed.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new NodeSettingsException($"{Source(name)} must be one of {string.Join(", ", allowed)}, not '{text}'");
    }

    private TimeSpan? Duration(string name)
    {
        if (Get(name) is not { } text)
        {
            return null;
        }

        return Units.TryParseDuration(text, out var value, out var error) && value > TimeSpan.Zero
            ? value
            : throw new NodeSettingsException($"{Source(name)}: {error ?? $"'{text}' must be longer than zero"}");
    }

    private long SegmentSize() => Size("segment-size") switch
    {
        null => EventLogOptions.DefaultSegmentSize,
        >= 4096 and <= int.MaxValue and var size => size,
        var size => throw new NodeSettingsException($"{Source("segment-size")}: a segment is 4096 bytes to 2 GiB, not {size} bytes"),
    };

    private long? Size(string name)
    {
        if (Get(name) is not { } text)
        {
            return null;
        }

        return Units.TryParseSize(text, out var value, out var error) && value > 0
            ? value
            : throw new NodeSettingsException($"{Source(name)}: {error ?? $"'{text}' must be more than zero bytes"}");
    }
}

/// <summary>A node setting that is missing, malformed or contradicts another; the message says which and where it came from.</summary>
internal sealed class NodeSettingsException(string message) : Exception(message);
