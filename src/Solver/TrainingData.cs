using GpuEnet.Kernels;
using GpuEnet.Solver.Model;

namespace GpuEnet.Solver;

/// <summary>What the solver trains on: X, y, optional weights and the names that go into the model.</summary>
public sealed record TrainingData
{
    /// <summary>Features, n × p (missing cells declared by the source, imputed per training set).</summary>
    public required IColumnSource X { get; init; }

    /// <summary>Target, length n, finite. Binomial family: two distinct values (mapped to 0/1 in sorted order), unless
    /// <see cref="Labels"/> says they are already coded 0/1.</summary>
    public required double[] Y { get; init; }

    /// <summary>Binomial family: the labels of a target already coded 0/1 (text labels mapped by the host); null: the two
    /// distinct values of <see cref="Y"/> are the labels.</summary>
    public ClassLabels? Labels { get; init; }

    /// <summary>Observation weights (≥ 0, finite), or null for equal weights.</summary>
    public double[]? Weights { get; init; }

    /// <summary>Feature names, length p.</summary>
    public required string[] Features { get; init; }

    /// <summary>Target name.</summary>
    public string Target { get; init; } = "y";

    /// <summary>Rows dropped for a missing target before this point.</summary>
    public int DroppedRows { get; init; }

    /// <summary>Raw input columns and missing indicators the host built; null: the features are the inputs.</summary>
    public FeaturePreprocessing? Preprocessing { get; init; }

    /// <summary>Seconds the host spent loading, for the model's metadata.</summary>
    public double LoadSeconds { get; init; }

    /// <summary>
    /// The data's fingerprint when the caller has computed it already (<see cref="EnetFitter.FingerprintOf"/>), else
    /// null: a rank under mpirun reads the fingerprint's columns, spread over all of X, before it drops their pages.
    /// </summary>
    public string? Fingerprint { get; init; }
}

/// <summary>Options of cross-validation.</summary>
public sealed class CvOptions
{
    /// <summary>Number of folds K when no fold ids are given.</summary>
    public int Folds { get; init; } = 10;

    /// <summary>User fold ids (1..K per row, 0 = unused), or null for seeded random folds.</summary>
    public int[]? FoldId { get; init; }

    /// <summary>Seed for folds, random l1_ratio search and stability subsamples.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>What the CV curve measures; null: deviance for the binomial family, mse for the Gaussian.</summary>
    public CvMeasure? Measure { get; init; }

    /// <summary>Which λ the model uses by default.</summary>
    public SelectionRule Select { get; init; } = SelectionRule.Min;

    /// <summary>After the grid, cross-validate a finer grid around the best l1_ratio (<see cref="EnetFitter.RefinedRatios"/>).</summary>
    public bool Refine { get; init; }

    /// <summary>Half-sample fits for stability selection (0 = none).</summary>
    public int Stability { get; init; }
}
