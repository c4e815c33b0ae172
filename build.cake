// Thin on purpose: the rules live in MSBuild (Directory.Build.props), so an IDE build behaves like CI.
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");

Task("Build").Does(() =>
{
    DotNetBuild("Vanus.sln", new DotNetBuildSettings { Configuration = configuration });
});

Task("Test").IsDependentOn("Build").Does(() =>
{
    var results = MakeAbsolute(Directory("artifacts/test-results"));
    CleanDirectory(results);
    var failed = false;
    foreach (var project in GetFiles("tests/*.Tests/*.Tests.csproj"))
    {
        try
        {
            DotNetTest(project.FullPath, new DotNetTestSettings
            {
                Configuration = configuration,
                NoBuild = true,
                Loggers = { $"trx;LogFileName={project.GetFilenameWithoutExtension()}.trx" },
                ResultsDirectory = results,
                ArgumentCustomization = args => args.Append("--blame-hang-timeout 5m"),
            });
        }
        catch (Exception e)
        {
            Error(e.Message);
            failed = true;
        }
    }

    // One plain summary line over every test project, from the TRX files.
    int passed = 0, failedCount = 0, skipped = 0;
    foreach (var trx in GetFiles(results.FullPath + "/*.trx"))
    {
        var counters = System.Xml.Linq.XDocument.Load(trx.FullPath).Descendants().First(d => d.Name.LocalName == "Counters");
        passed += int.Parse(counters.Attribute("passed").Value);
        failedCount += int.Parse(counters.Attribute("failed").Value);
        skipped += int.Parse(counters.Attribute("notExecuted").Value);
    }

    // Plain text on purpose (no log colouring): CI reads this closing line.
    Console.WriteLine($"{passed} passed, {failedCount} failed, {skipped} skipped");
    if (failed || failedCount > 0)
    {
        throw new Exception("Tests failed.");
    }
});

Task("Bench").Does(() =>
{
    DotNetRun("tests/Vanus.Benchmarks/Vanus.Benchmarks.csproj", new ProcessArgumentBuilder().Append("--filter").Append(Argument("filter", "*")), new DotNetRunSettings { Configuration = "Release" });
});

// Runs a node with the embedded defaults (HTTP on 127.0.0.1:8080, data in ./data); extra node flags via --args="...".
Task("Run").Does(() =>
{
    var args = new ProcessArgumentBuilder().Append("node");
    foreach (var arg in Argument("args", "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
    {
        args.Append(arg);
    }

    DotNetRun("Runtime/Vanus.Cli/Vanus.Cli.csproj", args, new DotNetRunSettings { Configuration = "Release" });
});

Task("RunExample").Does(() =>
{
    DotNetRun("Examples/Vanus.Examples.Pipeline/Vanus.Examples.Pipeline.csproj", new DotNetRunSettings { Configuration = configuration });
});

Task("BenchIngest").Does(() =>
{
    DotNetBuild("Runtime/Vanus.Cli/Vanus.Cli.csproj", new DotNetBuildSettings { Configuration = "Release" });
    StartProcess("bash", new ProcessSettings { Arguments = "eng/bench/ingest.sh" });
});

Task("Cluster").Does(() =>
{
    // A local cluster: node i on HTTP 808i and cluster 405i with data in ./data/n<i>; Ctrl-C stops them.
    DotNetBuild("Runtime/Vanus.Cli/Vanus.Cli.csproj", new DotNetBuildSettings { Configuration = "Release" });
    StartProcess("bash", new ProcessSettings { Arguments = "eng/cluster/run.sh " + Argument("nodes", 3) });
});

Task("Chaos").IsDependentOn("Build").Does(() =>
{
    // The long run of the failover tests: the leader killed --rounds times (the suite's short run kills it 5 times),
    // then a pause and a partition; each reports its failover times.
    var rounds = Argument("rounds", 50);
    DotNetTest("tests/Vanus.Node.Tests/Vanus.Node.Tests.csproj", new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        Filter = "FullyQualifiedName~Vanus.Node.Tests.FailoverTests|FullyQualifiedName~Vanus.Node.Tests.ControllerFailoverTests",
        Loggers = { "console;verbosity=detailed" },
        EnvironmentVariables = { ["VANUS_CHAOS_ROUNDS"] = rounds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    });
});

RunTarget(target);
