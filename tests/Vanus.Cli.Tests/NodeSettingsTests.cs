using Vanus.Cli.Node;

namespace Vanus.Cli.Tests;

/// <summary>Node settings: flag over environment variable over config file over default, and refusals that name their source.</summary>
public sealed class NodeSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vanus-settings").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string json)
    {
        var path = Path.Combine(_dir, "node.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static Func<string, string?> Env(params (string Key, string Value)[] vars) =>
        key => vars.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Defaults_apply_when_nothing_is_given()
    {
        var settings = NodeSettings.Resolve(new Dictionary<string, string>(), Env(), null);
        Assert.Equal(8080, settings.Port);
        Assert.Equal("127.0.0.1", settings.Bind);
        Assert.Equal(Path.GetFullPath("./data"), settings.DataDirectory);
        Assert.Null(settings.ToNodeOptions().Tiers);
        Assert.Equal(1 << 20, settings.ToGatewayOptions().MaxEventBytes);
    }

    [Fact]
    public void A_flag_beats_the_environment_which_beats_the_config_file()
    {
        var config = Config("""{"port": 9001, "bind": "127.0.0.2", "data": "/var/lib/vanus", "max-event-bytes": "2MB"}""");
        var settings = NodeSettings.Resolve(
            new Dictionary<string, string> { ["port"] = "9003" },
            Env(("VANUS_PORT", "9002"), ("VANUS_BIND", "127.0.0.3")),
            config);
        Assert.Equal(9003, settings.Port);
        Assert.Equal("127.0.0.3", settings.Bind);
        Assert.Equal("/var/lib/vanus", settings.DataDirectory);
        Assert.Equal(2_000_000, settings.ToGatewayOptions().MaxEventBytes);
    }

    [Fact]
    public void The_config_file_can_come_from_VANUS_CONFIG_and_sets_tiers()
    {
        var config = Config($$"""{"warm-dir": "{{_dir}}/warm", "cold-dir": "{{_dir}}/cold", "hot-max-age": "1h", "warm-max-bytes": "10GB", "seeds": ["akka.tcp://vanus@127.0.0.1:4053"]}""");
        var options = NodeSettings.Resolve(new Dictionary<string, string>(), Env(("VANUS_CONFIG", config)), null).ToNodeOptions();
        Assert.Equal(Path.Combine(_dir, "warm"), options.Tiers!.WarmDirectory);
        Assert.NotNull(options.Tiers.ColdStore);
        Assert.Equal(TimeSpan.FromHours(1), options.Tiers.HotMaxAge);
        Assert.Equal(10_000_000_000, options.Tiers.WarmMaxBytes);
        Assert.Equal(["akka.tcp://vanus@127.0.0.1:4053"], options.Seeds);
    }

    [Fact]
    public void The_name_is_passed_to_the_node()
    {
        var options = NodeSettings.Resolve(new Dictionary<string, string> { ["name"] = "n2" }, Env(), null).ToNodeOptions();
        Assert.Equal("n2", options.Name);
        Assert.Null(NodeSettings.Resolve(new Dictionary<string, string>(), Env(), null).ToNodeOptions().Name);
    }

    [Theory]
    [InlineData("port", "eighty", "--port must be a whole number from 0 to 65535, not 'eighty'")]
    [InlineData("port", "70000", "--port must be a whole number")]
    [InlineData("hot-max-age", "1x", "--hot-max-age: '1x' has unit 'x'")]
    [InlineData("max-pending-bytes", "0B", "--max-pending-bytes: '0B' must be more than zero bytes")]
    [InlineData("log-format", "xml", "--log-format must be one of text, json, not 'xml'")]
    [InlineData("hot-max-age", "1h", "tier ages and budgets need a warm folder")]
    [InlineData("name", "node one", "--name is 'node one', which may hold only ASCII letters, digits")]
    public void Bad_flags_are_refused_naming_the_flag(string name, string value, string message)
    {
        var settings = NodeSettings.Resolve(new Dictionary<string, string> { [name] = value }, Env(), null);
        var error = Assert.Throws<NodeSettingsException>(() => (settings.Port, settings.LogFormat, settings.ToNodeOptions(), settings.ToGatewayOptions()));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_bad_environment_value_names_the_variable()
    {
        var settings = NodeSettings.Resolve(new Dictionary<string, string>(), Env(("VANUS_PORT", "-1")), null);
        Assert.Contains("VANUS_PORT must be a whole number", Assert.Throws<NodeSettingsException>(() => settings.Port).Message);
    }

    [Theory]
    [InlineData("""{"prot": 8080}""", "unknown setting 'prot'")]
    [InlineData("""[8080]""", "must hold a JSON object")]
    [InlineData("""{"port": 80""", "is not valid JSON")]
    [InlineData("""{"port": true}""", "'port' in")]
    public void A_bad_config_file_is_refused_with_its_path_and_the_reason(string json, string message)
    {
        var path = Config(json);
        var error = Assert.Throws<NodeSettingsException>(() => NodeSettings.Resolve(new Dictionary<string, string>(), Env(), path));
        Assert.Contains(message, error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_missing_config_file_and_a_cold_tier_both_folder_and_s3_are_refused()
    {
        Assert.Contains("cannot read the config file", Assert.Throws<NodeSettingsException>(() => NodeSettings.Resolve(new Dictionary<string, string>(), Env(), Path.Combine(_dir, "missing.json"))).Message);
        var both = NodeSettings.Resolve(new Dictionary<string, string> { ["cold-dir"] = _dir, ["cold-s3-endpoint"] = "http://127.0.0.1:9000" }, Env(), null);
        Assert.Contains("not both", Assert.Throws<NodeSettingsException>(() => both.ToNodeOptions()).Message);
    }
}
