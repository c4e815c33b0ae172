using System.Net;
using System.Net.Sockets;
using Vanus.Operators.Outbound;

namespace Vanus.Operators.Tests.Outbound;

public sealed class OutboundPolicyTests
{
    [Theory]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00:ec2::254", "metadata")]
    [InlineData("100.100.100.200", "metadata")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    public void Link_local_metadata_and_unspecified_addresses_are_always_refused(string address, string reason)
    {
        Assert.Contains(reason, new OutboundPolicy().CheckAddress(IPAddress.Parse(address), 80), StringComparison.Ordinal);
        Assert.Contains(reason, new OutboundPolicy(allow: [IPNetwork.Parse("0.0.0.0/0"), IPNetwork.Parse("::/0")]).CheckAddress(IPAddress.Parse(address), 80), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("2001:db8::1")]
    public void Other_addresses_are_allowed_by_default(string address) => Assert.Null(new OutboundPolicy().CheckAddress(IPAddress.Parse(address), 443));

    [Fact]
    public void The_nodes_own_listeners_are_refused_on_their_ports_only()
    {
        var policy = new OutboundPolicy();
        policy.AddListener(new IPEndPoint(IPAddress.Loopback, 8080));
        Assert.Contains("own listener", policy.CheckAddress(IPAddress.Parse("127.0.0.1"), 8080), StringComparison.Ordinal);
        Assert.Contains("own listener", policy.CheckAddress(IPAddress.Parse("127.0.0.2"), 8080), StringComparison.Ordinal);
        Assert.Contains("own listener", policy.CheckAddress(IPAddress.Parse("::ffff:127.0.0.1"), 8080), StringComparison.Ordinal);
        Assert.Null(policy.CheckAddress(IPAddress.Parse("127.0.0.1"), 8081));

        policy.AddListener(new IPEndPoint(IPAddress.Any, 9090));
        Assert.Contains("own listener", policy.CheckAddress(IPAddress.Loopback, 9090), StringComparison.Ordinal);
    }

    [Fact]
    public void Deny_and_allow_lists_take_CIDR_networks()
    {
        var policy = new OutboundPolicy(
            allow: OutboundPolicy.ParseNetworks("10.0.0.0/8, 127.0.0.1", out _),
            deny: OutboundPolicy.ParseNetworks("10.9.0.0/16", out _));
        Assert.Null(policy.CheckAddress(IPAddress.Parse("10.1.0.1"), 80));
        Assert.Null(policy.CheckAddress(IPAddress.Parse("127.0.0.1"), 80));
        Assert.Contains("--sink-deny 10.9.0.0/16", policy.CheckAddress(IPAddress.Parse("10.9.1.1"), 80), StringComparison.Ordinal);
        Assert.Contains("outside --sink-allow", policy.CheckAddress(IPAddress.Parse("192.168.1.1"), 80), StringComparison.Ordinal);
        Assert.Contains("outside --sink-allow", policy.CheckAddress(IPAddress.Parse("127.0.0.2"), 80), StringComparison.Ordinal);

        Assert.Null(OutboundPolicy.ParseNetworks("10.0.0.0/8,nope", out var error));
        Assert.Contains("'nope'", error, StringComparison.Ordinal);
        Assert.Null(OutboundPolicy.ParseNetworks("10.0.0.0/33", out error));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://[::ffff:169.254.169.254]/", "link-local")]
    [InlineData("http://[fe80::1]:8080/", "link-local")]
    public void Literal_addresses_in_urls_are_checked_and_names_are_left_to_connect_time(string url, string reason)
    {
        var policy = new OutboundPolicy();
        Assert.Contains(reason, policy.CheckUrl(new Uri(url)), StringComparison.Ordinal);
        Assert.Null(policy.CheckUrl(new Uri("http://metadata.google.internal/computeMetadata/v1/")));
    }

    [Fact]
    public async Task A_name_is_checked_after_resolution_when_the_client_connects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();

        // localhost resolves to a denied network: the connection is never made.
        using var denied = new HttpClient(new OutboundPolicy(deny: [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")]).Apply(new SocketsHttpHandler()));
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => denied.GetAsync(new Uri($"http://localhost:{port}/")));
        Assert.Contains("outbound address policy refuses localhost", refused.Message + refused.InnerException?.Message, StringComparison.Ordinal);
        Assert.False(accepted.IsCompleted);

        // Allowed, the same name connects.
        using var allowed = new HttpClient(new OutboundPolicy().Apply(new SocketsHttpHandler())) { Timeout = TimeSpan.FromSeconds(30) };
        var request = allowed.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
        using var client = await accepted.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(client.Connected);
    }
}
