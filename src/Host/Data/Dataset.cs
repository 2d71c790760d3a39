using GpuEnet.Kernels;

namespace GpuEnet.Host.Data;

/// <summary>
/// A loaded data set: the feature matrix (rows with a missing target already dropped), the target, optional
/// observation weights, and names. Missing feature values are recorded by <see cref="IColumnSource.MissingRows"/>
/// and imputed later, on training rows only.
/// </summary>
public sealed class Dataset
{
    /// <summary>Feature names, one per column of <see cref="X"/>.</summary>
    public required string[] Features { get; init; }

    /// <summary>The feature matrix, n × p.</summary>
    public required IColumnSource X { get; init; }

    /// <summary>Target, length n.</summary>
    public required double[] Y { get; init; }

    /// <summary>
    /// Text class labels of the target in sorted (ordinal) order, <see cref="Y"/> holding each row's position in it; null
    /// when the target is numeric (read with <see cref="DataRequest.TextLabels"/> only).
    /// </summary>
    public string[]? TargetLabels { get; init; }

    /// <summary>Observation weights, length n, or null for equal weights.</summary>
    public double[]? Weights { get; init; }

    /// <summary>Name of the target column.</summary>
    public string Target { get; init; } = "y";

    /// <summary>Rows dropped because the target (or weight) was missing.</summary>
    public int DroppedRows { get; init; }

    /// <summary>Original data-file row number (1-based, header excluded) of each kept row, for error messages and fold ids.</summary>
    public int[]? SourceRows { get; init; }

    /// <summary>Where the data came from (for messages).</summary>
    public string Origin { get; init; } = "";

    /// <summary>Columns of the file before any was set aside (target, weights, ignored, not kept); 0 when not recorded.</summary>
    public int SourceColumns { get; init; }
}
