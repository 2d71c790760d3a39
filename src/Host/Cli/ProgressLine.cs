using GpuEnet.Solver.Path;

namespace GpuEnet.Host.Cli;

/// <summary>A one-line progress display on stderr (λ solved, passes over X), shown only when stderr is a terminal.</summary>
public sealed class ProgressLine : IProgress<PathProgress>, IDisposable
{
    private readonly string _label;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _lastTick = -1000;
    private bool _shown;

    /// <summary>Creates the display for a task named <paramref name="label"/>.</summary>
    public ProgressLine(string label) => _label = label;

    /// <summary>Whether anything is drawn (stderr is a terminal and not redirected).</summary>
    public static bool Enabled => !Console.IsErrorRedirected;

    /// <inheritdoc/>
    public void Report(PathProgress value)
    {
        if (!Enabled)
        {
            return;
        }

        long now = _clock.ElapsedMilliseconds;
        if (now - _lastTick < 100 && value.Done < value.Total)
        {
            return;
        }

        _lastTick = now;
        _shown = true;
        int percent = value.Total == 0 ? 100 : (int)(100L * value.Done / value.Total);
        Console.Error.Write($"\r{_label}: {value.Done}/{value.Total} (problem, λ) solved, {value.Passes} passes over X, {now / 1000.0:F1} s  [{percent,3}%]   ");
    }

    /// <summary>Ends the line.</summary>
    public void Dispose()
    {
        if (_shown)
        {
            Console.Error.WriteLine();
        }
    }
}
