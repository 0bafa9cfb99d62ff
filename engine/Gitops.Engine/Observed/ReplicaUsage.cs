namespace Gitops.Engine.Observed;

/// <summary>
/// One reading of what a running instance uses, as its target counts it: the CPU time it has
/// consumed since it started (a counter: two readings give a rate) and the memory it holds now.
/// </summary>
/// <param name="CpuTime">CPU time used since the instance started.</param>
/// <param name="MemoryBytes">Memory in use now, without the page cache the kernel can drop (as <c>docker stats</c> counts it).</param>
/// <param name="At">When the target took the reading.</param>
public sealed record ReplicaUsage(string Name, string Service, int Replica, TimeSpan CpuTime, long MemoryBytes, DateTimeOffset At);
