using System.Globalization;

namespace Gitops.Providers.Aws;

/// <summary>
/// A service's <c>resources</c> as a Fargate task size: Fargate runs only certain CPU/memory pairs
/// (the ECS developer guide's task size table), so the smallest pair that holds what was asked is
/// used: 0.25 vCPU and 64Mi become 256 CPU units and 512 MiB.
/// </summary>
public static class FargateSize
{
    /// <summary>CPU units → the memory sizes (MiB) Fargate allows with them.</summary>
    private static readonly (int Cpu, int[] Memory)[] Sizes =
    [
        (256, [512, 1024, 2048]),
        (512, Range(1024, 4096, 1024)),
        (1024, Range(2048, 8192, 1024)),
        (2048, Range(4096, 16384, 1024)),
        (4096, Range(8192, 30720, 1024)),
        (8192, Range(16384, 61440, 4096)),
        (16384, Range(32768, 122880, 8192)),
    ];

    /// <returns>(cpu units, memory MiB) as the API's strings; null when more was asked than Fargate runs.</returns>
    public static (string Cpu, string Memory)? For(int cpuMillicores, long memoryBytes)
    {
        var units = (int)Math.Ceiling(cpuMillicores * 1024 / 1000.0);
        var mebibytes = (int)Math.Ceiling(memoryBytes / (1024.0 * 1024.0));
        foreach (var (cpu, memory) in Sizes.Where(s => s.Cpu >= units))
        {
            if (memory.FirstOrDefault(m => m >= mebibytes) is > 0 and var fits)
            {
                return (cpu.ToString(CultureInfo.InvariantCulture), fits.ToString(CultureInfo.InvariantCulture));
            }
        }

        return null;
    }

    private static int[] Range(int from, int to, int step) => Enumerable.Range(0, ((to - from) / step) + 1).Select(i => from + (i * step)).ToArray();
}
