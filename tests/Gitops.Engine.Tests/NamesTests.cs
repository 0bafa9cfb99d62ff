using System.Text.RegularExpressions;
using Gitops.Engine.Desired;
using Gitops.Schema.Validation;

namespace Gitops.Engine.Tests;

/// <summary>Engine object names: one name per (project, environment, …) tuple, whatever '-' the parts hold.</summary>
public sealed partial class NamesTests
{
    private const string Fingerprint = "0123456789abcdef0123456789abcdef";

    /// <summary>Every grammar name of up to 4 characters over {a, -}: dense in the collisions '-' joins make.</summary>
    private static readonly string[] Parts = Enumerable.Range(1, 4)
        .SelectMany(length => Enumerable.Range(0, 1 << (length - 1)).Select(bits => "a" + new string([.. Enumerable.Range(0, length - 1).Select(i => (bits >> i & 1) == 1 ? '-' : 'a')])))
        .ToArray();

    [Fact]
    public void The_example_that_collided_now_gives_two_names()
    {
        Assert.NotEqual(Names.Volume("x-app", "dev-pg", "data"), Names.Volume("x-app-dev", "pg", "data"));
        Assert.NotEqual(Names.Network("x-app", "dev-pg"), Names.Network("x-app-dev", "pg"));
        Assert.Equal(Names.Legacy.Volume("x-app", "dev-pg", "data"), Names.Legacy.Volume("x-app-dev", "pg", "data"));
    }

    [Fact]
    public void No_two_distinct_tuples_share_a_network_volume_or_replica_name()
    {
        Assert.All(Parts, p => Assert.Matches(Grammar.Name(), p));
        AssertInjective(from p in Parts from e in Parts select ((p, e, ""), Names.Network(p, e)));
        AssertInjective(from p in Parts from e in Parts from v in Parts select ((p, e, v), Names.Volume(p, e, v)));
        AssertInjective(from p in Parts from e in Parts from s in Parts select ((p, e, s), Names.Replica(p, e, s, Fingerprint, 1)));
        AssertInjective(from p in Parts from s in Parts select ((p, s, ""), Names.BuiltImage(p, s, Fingerprint)));
    }

    [Fact]
    public void Random_tuples_of_full_grammar_names_never_share_a_name()
    {
        var random = new Random(20261201); // fixed seed: the same tuples every run
        var tuples = Enumerable.Range(0, 20_000).Select(_ => (RandomName(random), RandomName(random), RandomName(random))).Distinct().ToList();

        AssertInjective(tuples.Select(t => (t, Names.Volume(t.Item1, t.Item2, t.Item3))));
        AssertInjective(tuples.Select(t => (t, Names.Replica(t.Item1, t.Item2, t.Item3, Fingerprint, 3))));
        AssertInjective(tuples.Select(t => ((t.Item1, t.Item2, ""), Names.BuiltImage(t.Item1, t.Item2, Fingerprint))));
    }

    [Fact]
    public void Names_are_valid_engine_object_names_and_image_references()
    {
        foreach (var (p, s) in from p in Parts from s in Parts select (p, s))
        {
            Assert.Matches(EngineObjectName(), Names.Volume(p, "dev", s));
            Assert.Matches(EngineObjectName(), Names.Network(p, s));
            Assert.Matches(EngineObjectName(), Names.Replica(p, "dev", s, Fingerprint, 12));
            Assert.Matches(DockerImageReference(), Names.BuiltImage(p, s, Fingerprint));
            Assert.StartsWith(Names.BuiltImagePrefix, Names.BuiltImage(p, s, Fingerprint), StringComparison.Ordinal);
        }
    }

    private static void AssertInjective<TKey>(IEnumerable<(TKey Tuple, string Name)> named)
        where TKey : notnull
    {
        var seen = new Dictionary<string, TKey>(StringComparer.Ordinal);
        foreach (var (tuple, name) in named)
        {
            if (seen.TryGetValue(name, out var other) && !EqualityComparer<TKey>.Default.Equals(other, tuple))
            {
                Assert.Fail($"{other} and {tuple} both map to {name}");
            }

            seen[name] = tuple;
        }
    }

    private static string RandomName(Random random)
    {
        const string rest = "ab-";
        var length = random.Next(1, 9);
        return "a" + new string([.. Enumerable.Range(1, length - 1).Select(_ => rest[random.Next(rest.Length)])]);
    }

    /// <summary>Docker's rule for container, network and volume names.</summary>
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex EngineObjectName();

    /// <summary>distribution/reference: domain/path-components:tag, each component alphanumerics joined by one of . _ __ -+.</summary>
    [GeneratedRegex("^localhost/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex DockerImageReference();
}
