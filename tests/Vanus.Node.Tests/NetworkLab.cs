using System.Diagnostics;
using System.Globalization;

namespace Vanus.Node.Tests;

/// <summary>
/// Three network namespaces on a bridge of their own (in a fourth namespace), with no route out: the nodes bind to
/// 10.231.X.1..3, the test reaches them from 10.231.X.254 through one more link, and a partition is a set of blackhole
/// routes between nodes. Needs root and iproute2; <see cref="TryCreate"/> says why not otherwise.
/// </summary>
internal sealed class NetworkLab : IDisposable
{
    private readonly string _prefix;
    private readonly int _subnet;
    private readonly List<(string Netns, string Route)> _blackholes = [];

    private NetworkLab(string prefix, int subnet)
    {
        _prefix = prefix;
        _subnet = subnet;
    }

    /// <summary>The namespace and address of node <paramref name="index"/> (1 to 3).</summary>
    public (string Netns, string Address) Place(int index) => ($"{_prefix}n{index}", Address(index));

    /// <summary>Builds the lab, or returns null and says why (not root, no <c>ip</c>, namespaces refused).</summary>
    public static NetworkLab? TryCreate(out string why)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            why = $"the partition test makes network namespaces, which needs root on Linux (running as '{Environment.UserName}')";
            return null;
        }

        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            why = "the partition test needs iproute2's 'ip' (apt-get install iproute2)";
            return null;
        }

        var lab = new NetworkLab("vt" + Random.Shared.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture), Random.Shared.Next(1, 250));
        try
        {
            lab.Build();
            why = "";
            return lab;
        }
        catch (InvalidOperationException e)
        {
            lab.Dispose();
            why = $"the partition test could not build its network: {e.Message}";
            return null;
        }
    }

    /// <summary>Cuts node <paramref name="index"/> off from the other two, both ways, with blackhole routes.</summary>
    public void Isolate(int index)
    {
        foreach (var other in new[] { 1, 2, 3 }.Where(i => i != index))
        {
            Blackhole(Place(index).Netns, Address(other));
            Blackhole(Place(other).Netns, Address(index));
        }
    }

    /// <summary>Removes every blackhole route.</summary>
    public void Heal()
    {
        foreach (var (netns, route) in _blackholes)
        {
            Ip("-n", netns, "route", "del", "blackhole", route);
        }

        _blackholes.Clear();
    }

    public void Dispose()
    {
        // Deleting a namespace deletes the links in it; the test's own link goes last.
        foreach (var netns in new[] { 1, 2, 3 }.Select(i => Place(i).Netns).Append(Bridge))
        {
            TryIp("netns", "del", netns);
        }

        TryIp("link", "del", $"{_prefix}h");
    }

    private string Bridge => $"{_prefix}br";

    private string Address(int index) => $"10.231.{_subnet.ToString(CultureInfo.InvariantCulture)}.{index.ToString(CultureInfo.InvariantCulture)}";

    private void Build()
    {
        Ip("netns", "add", Bridge);
        Ip("-n", Bridge, "link", "add", "br0", "type", "bridge");
        Ip("-n", Bridge, "link", "set", "br0", "up");
        for (var i = 1; i <= 3; i++)
        {
            var (netns, address) = Place(i);
            Ip("netns", "add", netns);
            Ip("-n", netns, "link", "set", "lo", "up");
            Link($"{_prefix}n{i}a", $"{_prefix}n{i}b", netns);
            Ip("-n", netns, "addr", "add", address + "/24", "dev", $"{_prefix}n{i}a");
            Ip("-n", netns, "link", "set", $"{_prefix}n{i}a", "up");
        }

        // The test's way in: one link from this namespace to the bridge, an address on the lab's subnet, no routes beyond.
        Link($"{_prefix}h", $"{_prefix}hb", null);
        Ip("addr", "add", Address(254) + "/24", "dev", $"{_prefix}h");
        Ip("link", "set", $"{_prefix}h", "up");

        // Checked before any node starts: each namespace holds its address and has no default route.
        for (var i = 1; i <= 3; i++)
        {
            var (netns, address) = Place(i);
            var addresses = Ip("-n", netns, "-br", "addr");
            var routes = Ip("-n", netns, "route");
            if (!addresses.Contains(address, StringComparison.Ordinal) || routes.Contains("default", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"namespace {netns} is not as built: addresses '{addresses.Trim()}', routes '{routes.Trim()}'");
            }
        }
    }

    /// <summary>A veth pair: <paramref name="inside"/> in <paramref name="netns"/> (or here when null), its peer on the bridge.</summary>
    private void Link(string inside, string onBridge, string? netns)
    {
        Ip("link", "add", inside, "type", "veth", "peer", "name", onBridge);
        Ip("link", "set", onBridge, "netns", Bridge);
        Ip("-n", Bridge, "link", "set", onBridge, "master", "br0");
        Ip("-n", Bridge, "link", "set", onBridge, "up");
        if (netns is not null)
        {
            Ip("link", "set", inside, "netns", netns);
        }
    }

    private void Blackhole(string netns, string address)
    {
        Ip("-n", netns, "route", "add", "blackhole", address + "/32");
        _blackholes.Add((netns, address + "/32"));
    }

    private static string Ip(params string[] args)
    {
        var (code, output) = Run(args);
        return code == 0 ? output : throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({code}): {output.Trim()}");
    }

    private static void TryIp(params string[] args) => Run(args);

    private static (int Code, string Output) Run(string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
