using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace Vanus.Architecture.Tests;

/// <summary>
/// The layering of DESIGN §4 over the whole reference graph: Directory.Build.targets refuses a forbidden direct reference
/// at build time, and these tests check the transitive closure (a reference through a middle project counts) and the
/// InternalsVisibleTo attributes the built assemblies carry.
/// </summary>
public sealed class LayeringTests
{
    // What each product project may reach, directly or through others (the vanus host, Vanus.Cli, may reach everything).
    public static readonly TheoryData<string, string[]> Allowed = new()
    {
        { "Vanus.Runtime", [] },
        { "Vanus.Testing", ["Vanus.Runtime"] },
        { "Vanus.Operators", ["Vanus.Runtime"] },
        { "Vanus.Storage", ["Vanus.Runtime"] },
        { "Vanus.Gateway", ["Vanus.Runtime", "Vanus.Operators"] },
        { "Vanus.Client", ["Vanus.Runtime", "Vanus.Operators"] },
        { "Vanus.Cluster", ["Vanus.Runtime", "Vanus.Operators", "Vanus.Storage"] },
    };

    public static readonly TheoryData<string> WithoutAkka = new() { "Vanus.Runtime", "Vanus.Operators", "Vanus.Storage", "Vanus.Gateway", "Vanus.Client", "Vanus.Testing" };

    private static readonly Lazy<Dictionary<string, ProjectFile>> Projects = new(LoadProjects);

    [Theory]
    [MemberData(nameof(Allowed))]
    public void A_project_reaches_only_the_layers_below_it(string project, string[] allowed)
    {
        var reached = Closure(project);
        var forbidden = reached.Except(allowed, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.True(forbidden.Count == 0, $"{project} reaches {string.Join(", ", forbidden)} ({Paths(project, forbidden)}); it may reach only {(allowed.Length == 0 ? "nothing of ours" : string.Join(", ", allowed))}");
    }

    [Theory]
    [MemberData(nameof(WithoutAkka))]
    public void Layers_below_Cluster_carry_no_Akka_package(string project)
    {
        var akka = Closure(project).Append(project)
            .SelectMany(p => Projects.Value[p].Packages.Select(package => (Project: p, Package: package)))
            .Where(p => p.Package.StartsWith("Akka", StringComparison.Ordinal))
            .ToList();
        Assert.True(akka.Count == 0, $"{project} carries {string.Join(", ", akka.Select(a => $"{a.Package} (through {a.Project})"))}");
    }

    [Theory]
    [InlineData("Vanus.Runtime")]
    [InlineData("Vanus.Operators")]
    [InlineData("Vanus.Storage")]
    public void Lower_layers_open_their_internals_to_tests_only(string assembly)
    {
        var opened = Assembly.Load(assembly).GetCustomAttributes<InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName)
            .Where(name => !name.EndsWith(".Tests", StringComparison.Ordinal) && name != "Vanus.Benchmarks")
            .ToList();
        Assert.True(opened.Count == 0, $"{assembly} opens its internals to {string.Join(", ", opened)}");
    }

    [Fact]
    public void Every_product_project_has_a_rule()
    {
        // A new project under a product folder must be placed in a layer here (and in Directory.Build.targets).
        var ruled = Allowed.Select(row => (string)row[0]).Append("Vanus.Cli").ToHashSet(StringComparer.Ordinal);
        var unruled = Projects.Value.Values.Where(p => !p.IsTestOrExample && !ruled.Contains(p.Name)).Select(p => p.Name).ToList();
        Assert.True(unruled.Count == 0, $"no layer for {string.Join(", ", unruled)}: add it to Allowed here and to Directory.Build.targets");
    }

    [Fact]
    public void The_rules_catch_a_forbidden_path()
    {
        // The check itself can fail: Vanus.Cli reaches Cluster, which Gateway must not.
        Assert.Contains("Vanus.Cluster", Closure("Vanus.Cli"));
        Assert.DoesNotContain("Vanus.Cluster", Closure("Vanus.Gateway"));
    }

    private static HashSet<string> Closure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(Projects.Value[project].References);
        while (queue.TryDequeue(out var next))
        {
            if (seen.Add(next))
            {
                foreach (var reference in Projects.Value[next].References)
                {
                    queue.Enqueue(reference);
                }
            }
        }

        return seen;
    }

    // How the project reaches each forbidden one, for the failure message: the first direct reference that leads there.
    private static string Paths(string project, IEnumerable<string> targets) => string.Join("; ", targets.Select(target =>
    {
        var via = Projects.Value[project].References.FirstOrDefault(r => r == target || Closure(r).Contains(target));
        return via == target ? $"directly" : $"{target} through {via}";
    }));

    private static Dictionary<string, ProjectFile> LoadProjects()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Vanus.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"no Vanus.sln above {AppContext.BaseDirectory}");
        var projects = new Dictionary<string, ProjectFile>(StringComparer.Ordinal);
        foreach (var folder in new[] { "Runtime", "Operators", "Storage", "Cluster", "Connect", "Examples", "tests" })
        {
            var dir = Path.Combine(root!.FullName, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var path in Directory.EnumerateFiles(dir, "*.csproj", SearchOption.AllDirectories))
            {
                var xml = XDocument.Load(path);
                var name = Path.GetFileNameWithoutExtension(path);
                var references = xml.Descendants("ProjectReference")
                    .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                    .ToList();
                var packages = xml.Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).ToList();
                projects[name] = new ProjectFile(name, references, packages, folder is "tests" or "Examples");
            }
        }

        return projects;
    }

    private sealed record ProjectFile(string Name, IReadOnlyList<string> References, IReadOnlyList<string> Packages, bool IsTestOrExample);
}
