namespace Vanus.Conformance.Tests;

/// <summary>Finds a conformance suite's folder: an environment variable, else ../shared/conformance beside the repository.</summary>
public static class ConformanceData
{
    /// <summary>The marker row a suite yields when its folder is missing, so the test can skip (or fail) with where it looked.</summary>
    public const string MissingMarker = "<conformance data missing>";

    /// <summary>True when CI demands the suites (VANUS_REQUIRE_CONFORMANCE=1): a missing folder then fails instead of skipping.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("VANUS_REQUIRE_CONFORMANCE") == "1";

    /// <summary>The folder that holds Vanus.sln, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vanus.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException($"No Vanus.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>The suite folder: <paramref name="environmentVariable"/> when set, else <paramref name="defaultRelative"/> from the repository root.</summary>
    public static string Folder(string environmentVariable, string defaultRelative)
    {
        var fromEnv = Environment.GetEnvironmentVariable(environmentVariable);
        return Path.GetFullPath(string.IsNullOrEmpty(fromEnv) ? Path.Combine(RepositoryRoot, defaultRelative) : fromEnv);
    }

    /// <summary>Skips (or, when required, fails) a test whose suite folder is missing, naming where it looked.</summary>
    public static void SkipOrFailIfMissing(string folder, string environmentVariable)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        var message = $"Conformance data not found at '{folder}' (set {environmentVariable} to its folder).";
        if (Required)
        {
            Assert.Fail(message + " VANUS_REQUIRE_CONFORMANCE=1 makes this a failure.");
        }

        Skip.If(true, message);
    }
}
