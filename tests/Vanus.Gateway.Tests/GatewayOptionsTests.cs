using Microsoft.Extensions.DependencyInjection;

namespace Vanus.Gateway.Tests;

public sealed class GatewayOptionsTests
{
    [Fact]
    public void Defaults_are_the_contracts_limits()
    {
        var options = new GatewayOptions();
        Assert.Equal(1024 * 1024, options.MaxEventBytes);
        Assert.Equal(16 * 1024 * 1024, options.MaxRequestBytes);
        options.Validate();
    }

    [Theory]
    [InlineData(0, 16, 64, "MaxEventBytes")]
    [InlineData(2048, 1024, 4096, "MaxRequestBytes")]
    [InlineData(1024, 4096, 2048, "MaxBufferedBytes")]
    public void AddVanusGateway_refuses_inconsistent_limits_by_name(int maxEvent, int maxRequest, long maxBuffered, string name)
    {
        var options = new GatewayOptions { MaxEventBytes = maxEvent, MaxRequestBytes = maxRequest, MaxBufferedBytes = maxBuffered };
        var e = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddVanusGateway(options));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void MapVanusGateway_without_AddVanusGateway_says_what_is_missing()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        using var app = builder.Build();
        var e = Assert.Throws<InvalidOperationException>(() => app.MapVanusGateway());
        Assert.Contains("AddVanusGateway", e.Message);
    }
}
