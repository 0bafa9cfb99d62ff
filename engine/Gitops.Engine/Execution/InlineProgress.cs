namespace Gitops.Engine.Execution;

/// <summary>
/// Progress printed where it is reported, in order. <see cref="Progress{T}"/> would post each line to
/// the thread pool: lines could come out of order, or after the command returned and its output was
/// closed (a test's writer: the write threw on a pool thread and took the test run down). The CLI's
/// progress and the engines' build streams use it.
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _gate = new();

    public void Report(T value)
    {
        lock (_gate)
        {
            report(value);
        }
    }
}
