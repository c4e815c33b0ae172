using Akka.Actor;
using Vanus.Cluster.Hosting;
using Vanus.Runtime.Broker;
using Vanus.Storage;
using Vanus.Storage.Tiers;

namespace Vanus.Cluster;

/// <summary>How a node runs: where it stores, how it joins its cluster and the limits it keeps; copied when the node starts.</summary>
public sealed record NodeOptions
{
    /// <summary>The default bound on bytes of appends in flight on a node, 128 MiB.</summary>
    public const long DefaultMaxPendingBytes = 128L << 20;

    /// <summary>
    /// The certificate (with its private key) of a TLS cluster transport: every node holds the same one and trusts only
    /// it, so a process without it cannot join (DESIGN §7). Null: the transport is plain TCP.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClusterCertificate { get; init; }

    /// <summary>Where sinks may be reached (DESIGN §7): every delivery connects through it.</summary>
    public Vanus.Operators.Outbound.OutboundPolicy Outbound { get; init; } = new();

    /// <summary>The node's data folder: <c>catalog.db</c> (the controller's journal) and <c>eventlogs/</c> (segment files).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The address the cluster transport binds to and advertises; 127.0.0.1 unless the cluster spans hosts.</summary>
    public string ClusterHost { get; init; } = "127.0.0.1";

    /// <summary>The cluster transport's port; 0 takes any free port (see <see cref="IVanusNode.ClusterAddress"/>).</summary>
    public int ClusterPort { get; init; }

    /// <summary>
    /// The node's name in the cluster (<c>--name</c>): replicas are placed on nodes by name, so it must stay the same across
    /// restarts. Null takes <c>host:port</c> of the cluster address, or, with port 0, a name kept in the data folder.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>The HTTP endpoint the node serves, as clients should reach it (<c>GET /api/v1/cluster</c> lists it); null when not known at start.</summary>
    public string? HttpEndpoint { get; init; }

    /// <summary>What is wrong with <paramref name="name"/> as a node name (<see cref="Name"/>), or null when it is fine.</summary>
    public static string? NameProblem(string name) => Hosting.NodeNames.Check(name);

    /// <summary>Addresses of nodes to join, such as <c>akka.tcp://vanus@10.0.0.5:4053</c>; empty makes a one-member cluster that joins itself.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>
    /// The storage tiers every eventlog uses, or null to keep segments hot. Each eventlog gets its own sub-folder
    /// <c>{incarnation}/{index}</c> of the warm (and cache) folder and the cold key prefix <c>{ColdPrefix}{incarnation}/{index}/</c>.
    /// </summary>
    public TierOptions? Tiers { get; init; }

    /// <summary>The segment size of every eventlog (see <see cref="EventLogOptions.SegmentSize"/>).</summary>
    public long SegmentSize { get; init; } = EventLogOptions.DefaultSegmentSize;

    /// <summary>How long an append acknowledged under the <c>interval</c> sync policy may stay unsynced.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The node-wide bound on bytes of appends in flight; an append past it fails at once as <see cref="BrokerErrorKind.Overloaded"/>.</summary>
    public long MaxPendingBytes { get; init; } = DefaultMaxPendingBytes;

    /// <summary>Bytes of events (data and attributes) each trigger holds read ahead of a slow sink, 16 MiB by default.</summary>
    public long TriggerReadAheadBytes { get; init; } = 16L << 20;

    /// <summary>The most eventbuses (dead-letter buses not counted) the catalog takes; one more is refused (400).</summary>
    public int MaxEventbuses { get; init; } = 10_000;

    /// <summary>The most subscriptions the catalog takes; one more is refused (400).</summary>
    public int MaxSubscriptions { get; init; } = 10_000;

    /// <summary>The most schedules the catalog takes; one more is refused (400).</summary>
    public int MaxSchedules { get; init; } = 10_000;

    /// <summary>How often each eventlog applies retention and moves segments between tiers.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a call waits for the controller or an eventlog before it fails as <see cref="BrokerErrorKind.Unavailable"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Serializes every actor message even between local actors (<c>akka.actor.serialize-messages</c>); tests turn it on.</summary>
    public bool SerializeMessages { get; init; }

    /// <summary>The clock for store times, creation times, sync intervals and retention.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where the actors' log lines go (categories are the logging classes: <c>Vanus.Cluster.*</c>, <c>Akka.*</c>); null: Akka's own console logger, warnings and errors only.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>How many timer eventlogs hold delayed events (each with its own timer actor); fixed for the life of the data folder.</summary>
    public int TimerEventlogs { get; init; } = 2;

    /// <summary>Delayed events due within this long are held in memory (an index entry each); later ones stay on disk until they come within it.</summary>
    public TimeSpan TimerHorizon { get; init; } = TimeSpan.FromMinutes(15);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("the data directory must be given", nameof(DataDirectory));
        }

        if (string.IsNullOrWhiteSpace(ClusterHost))
        {
            throw new ArgumentException("the cluster host must be given (127.0.0.1 for a node alone on this machine)", nameof(ClusterHost));
        }

        if (ClusterPort is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(ClusterPort), ClusterPort, "the cluster port must be 0 (any free port) to 65535");
        }

        ArgumentNullException.ThrowIfNull(Seeds, nameof(Seeds));
        SeedAddresses();
        ArgumentNullException.ThrowIfNull(Time, nameof(Time));
        if (SegmentSize is < 4096 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentSize), SegmentSize, "the segment size must be between 4096 bytes and 2 GiB");
        }

        if (SyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SyncInterval), SyncInterval, "the sync interval must be positive");
        }

        if (TriggerReadAheadBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TriggerReadAheadBytes), TriggerReadAheadBytes, "the read-ahead of a trigger must be positive");
        }

        if (MaxEventbuses <= 0 || MaxSubscriptions <= 0 || MaxSchedules <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEventbuses), "the limits on eventbuses, subscriptions and schedules must be positive");
        }

        if (MaxPendingBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPendingBytes), MaxPendingBytes, "the bound on pending bytes must be positive");
        }

        if (MaintenanceInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaintenanceInterval), MaintenanceInterval, "the maintenance interval must be positive");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "the request timeout must be positive");
        }

        if (TimerEventlogs is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(TimerEventlogs), TimerEventlogs, "the number of timer eventlogs must be 1 to 64");
        }

        if (TimerHorizon < TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(TimerHorizon), TimerHorizon, "the timer horizon must be at least 10 s (well beyond the 2 s firing lease)");
        }
    }

    /// <summary>The seeds as cluster addresses; each must name the system <c>vanus</c>, a host and a port.</summary>
    internal List<Address> SeedAddresses()
    {
        var addresses = new List<Address>(Seeds.Count);
        for (var i = 0; i < Seeds.Count; i++)
        {
            var example = $"akka.tcp://{NodeConfig.SystemName}@127.0.0.1:4053";
            Address address;
            try
            {
                address = Address.Parse(Seeds[i]);
            }
            catch (Exception ex) when (ex is UriFormatException or ArgumentException or FormatException)
            {
                throw new ArgumentException($"seed {i} '{Seeds[i]}' is not a cluster address such as {example}: {ex.Message}", nameof(Seeds), ex);
            }

            if (address.System != NodeConfig.SystemName || address.Host is null || address.Port is null)
            {
                throw new ArgumentException($"seed {i} '{Seeds[i]}' must name the system '{NodeConfig.SystemName}', a host and a port, as {example}", nameof(Seeds));
            }

            addresses.Add(address);
        }

        return addresses;
    }
}
