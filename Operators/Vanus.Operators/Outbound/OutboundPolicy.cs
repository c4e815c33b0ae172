using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Vanus.Operators.Outbound;

/// <summary>
/// Where the node may connect on a user's behalf (DESIGN §7): subscription sinks today, connector endpoints and workflow
/// calls with them. Link-local and cloud metadata addresses (IPv4-mapped forms included), unspecified addresses and the
/// node's own listeners are always refused; <c>--sink-deny</c> networks are refused; with <c>--sink-allow</c>, only its
/// networks are taken. A literal address is checked in the document; a name is checked after DNS resolution, at
/// connect time, so a name that later resolves to a refused address is refused too.
/// </summary>
public sealed class OutboundPolicy
{
    // 169.254.0.0/16 holds the AWS, GCP and Azure metadata endpoint (169.254.169.254); fe80::/10 is IPv6 link-local;
    // fd00:ec2::254 is AWS's IPv6 metadata endpoint and 100.100.100.200 Alibaba Cloud's.
    private static readonly IPNetwork[] LinkLocal = [IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("fe80::/10")];
    private static readonly IPAddress[] Metadata = [IPAddress.Parse("fd00:ec2::254"), IPAddress.Parse("100.100.100.200")];

    private readonly IReadOnlyList<IPNetwork> _allow;
    private readonly IReadOnlyList<IPNetwork> _deny;
    private ImmutableArray<IPEndPoint> _listeners = [];

    /// <summary>A policy with <paramref name="allow"/> (empty: any address the fixed rules leave) and <paramref name="deny"/> networks.</summary>
    public OutboundPolicy(IReadOnlyList<IPNetwork>? allow = null, IReadOnlyList<IPNetwork>? deny = null)
    {
        _allow = allow ?? [];
        _deny = deny ?? [];
    }

    /// <summary>The node's own listeners, refused as targets; the host adds each once it is bound.</summary>
    public IReadOnlyList<IPEndPoint> Listeners => _listeners;

    /// <summary>Adds a listener of this node (an address of <see cref="IPAddress.Any"/> stands for every local address).</summary>
    public void AddListener(IPEndPoint listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ImmutableInterlocked.Update(ref _listeners, l => l.Add(listener));
    }

    /// <summary>Reads a comma-separated list of CIDR networks (a bare address is a /32 or /128); null and an error when one is not a network.</summary>
    public static IReadOnlyList<IPNetwork>? ParseNetworks(string? text, out string? error)
    {
        error = null;
        var result = new List<IPNetwork>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(part, out var network))
            {
                result.Add(network);
            }
            else if (IPAddress.TryParse(part, out var single))
            {
                result.Add(new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                error = $"'{part}' is not a network in CIDR form such as 10.0.0.0/8 or fd00::/8";
                return null;
            }
        }

        return result;
    }

    /// <summary>Checks a URL's host when it is a literal address (names wait for their resolution); the reason it is refused, or null.</summary>
    public string? CheckUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(url.DnsSafeHost, out var address)
            ? CheckAddress(address, url.Port)
            : null;
    }

    /// <summary>The reason a connection to <paramref name="address"/>:<paramref name="port"/> is refused, or null when it is allowed.</summary>
    public string? CheckAddress(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (plain.Equals(IPAddress.Any) || plain.Equals(IPAddress.IPv6Any))
        {
            return $"{address} is the unspecified address (it reaches this machine)";
        }

        if (LinkLocal.Any(n => n.Contains(plain)) || Metadata.Contains(plain))
        {
            return $"{address} is a link-local or cloud metadata address";
        }

        foreach (var listener in _listeners)
        {
            var local = listener.Address.Equals(IPAddress.Any) || listener.Address.Equals(IPAddress.IPv6Any)
                ? IPAddress.IsLoopback(plain) || IsLocal(plain)
                : listener.Address.Equals(plain) || (IPAddress.IsLoopback(listener.Address) && IPAddress.IsLoopback(plain));
            if (local && listener.Port == port)
            {
                return $"{address}:{port} is this node's own listener";
            }
        }

        foreach (var denied in _deny)
        {
            if (denied.Contains(plain))
            {
                return $"{address} is in --sink-deny {denied}";
            }
        }

        if (_allow.Count > 0 && !_allow.Any(n => n.Contains(plain)))
        {
            return $"{address} is outside --sink-allow ({string.Join(", ", _allow)})";
        }

        return null;
    }

    /// <summary>Makes <paramref name="handler"/> resolve names itself and connect only to addresses this policy allows.</summary>
    public SocketsHttpHandler Apply(SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.ConnectCallback = ConnectAsync;
        return handler;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var target = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(target.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(target.Host, cancellationToken).ConfigureAwait(false);
        var refusals = new List<string>();
        SocketException? failure = null;
        foreach (var address in addresses)
        {
            if (CheckAddress(address, target.Port) is { } refused)
            {
                refusals.Add(refused);
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, target.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                failure = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        if (failure is not null)
        {
            throw failure;
        }

        throw new HttpRequestException($"the outbound address policy refuses {target.Host}: {string.Join("; ", refusals)}");
    }

    private static bool IsLocal(IPAddress address)
    {
        try
        {
            return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Any(u => u.Address.Equals(address));
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return false;
        }
    }
}
