namespace GpuEnet.Host.Report;

/// <summary>
/// Facts for the HTML report that the model file does not hold: how many values were missing per raw input
/// column, the true effects of a simulated problem, and free-text notes. Every member is optional; the report
/// says "not recorded" for what is absent.
/// </summary>
public sealed class ReportExtras
{
    /// <summary>Number of missing cells per raw input column (by column name), counted on the rows kept for training.</summary>
    public IReadOnlyDictionary<string, int>? MissingCounts { get; init; }

    /// <summary>Rows in the data file before rows with a missing target were dropped; null when unknown.</summary>
    public int? InputRows { get; init; }

    /// <summary>
    /// Rows dropped because the target was missing; overrides <c>TrainingInfo.DroppedRows</c> when set.
    /// </summary>
    public int? DroppedRows { get; init; }

    /// <summary>
    /// True coefficients of a simulated problem on the original scale, keyed by 0-based feature index; the report then
    /// marks true effects in the tables and counts how many were recovered.
    /// </summary>
    public IReadOnlyDictionary<int, double>? TrueEffects { get; init; }

    /// <summary>Where the data came from (a file name or <c>demo</c>), shown with the run metadata.</summary>
    public string? DataOrigin { get; init; }

    /// <summary>Free-text notes shown near the top of the report, one paragraph each (plain text, escaped).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Title of the report; defaults to "GpuEnet report: &lt;target&gt;".</summary>
    public string? Title { get; init; }

    /// <summary>Time stamp printed as "report generated"; null uses the current time. Set it for reproducible output.</summary>
    public DateTimeOffset? GeneratedUtc { get; init; }
}
