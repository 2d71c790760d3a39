using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using GpuEnet.Host.Output;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.ModelFile;

/// <summary>
/// Writes an <see cref="EnetModel"/> in the GpuEnet model format, version 1 (<c>docs/model-format.md</c>).
/// </summary>
/// <remarks>
/// Everything round-trips bit for bit except <see cref="EnetModel.FeatureScale"/>, which is stored only for features
/// with a stored coefficient at some λ of some path (others read back as NaN), so that a model's size does not grow
/// with p: at most 16 bytes per stored non-zero + the feature names + 8 per input column with a fill value + 4 KiB.
/// </remarks>
public static class ModelWriter
{
    /// <summary>
    /// Writes the model to a file atomically through <see cref="OutputSet"/>: the bytes go to a temporary file in the
    /// same folder, which is flushed to disk and then renamed over <paramref name="path"/> (a device or FIFO is written
    /// in place). A failure at any point leaves an existing file untouched and removes the temporary file.
    /// </summary>
    /// <param name="model">The model; it must be internally consistent (every file written reads back).</param>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <exception cref="ArgumentException">The model is inconsistent (the message says how); nothing is written.</exception>
    /// <exception cref="IOException">The stream failed while the model was written.</exception>
    /// <exception cref="Cli.CliException">The path cannot be written (missing folder, a folder, no permission).</exception>
    public static void Write(EnetModel model, string path) => Write(model, path, wrap: null);

    /// <summary>As <see cref="Write(EnetModel, string)"/>; <paramref name="wrap"/> lets tests interpose on the temporary file's stream.</summary>
    internal static void Write(EnetModel model, string path, Func<Stream, Stream>? wrap)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfInvalid(model);
        OutputSet.WriteOne("the model file", path, stream =>
        {
            Stream target = wrap is null ? stream : wrap(stream);
            WriteValidated(model, target, ModelFormat.CoefficientChunkBytes);
            target.Flush();
        });
    }

    /// <summary>Writes the model to a stream from its current position; the stream need not be seekable.</summary>
    /// <param name="model">The model; it must be internally consistent.</param>
    /// <param name="stream">Destination; left open, flushed.</param>
    /// <exception cref="ArgumentException">The model is inconsistent; nothing is written.</exception>
    public static void Write(EnetModel model, Stream stream) => Write(model, stream, ModelFormat.CoefficientChunkBytes);

    /// <summary>As <see cref="Write(EnetModel, Stream)"/> with a chosen coefficient run size, so tests can produce many runs.</summary>
    internal static void Write(EnetModel model, Stream stream, int coefficientChunkBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ThrowIfInvalid(model);
        WriteValidated(model, stream, coefficientChunkBytes);
        stream.Flush();
    }

    private static void ThrowIfInvalid(EnetModel model)
    {
        string? problem = ModelInvariants.FindProblem(model);
        if (problem is not null)
        {
            throw new ArgumentException($"Cannot write the model: {problem}.", nameof(model));
        }
    }

    private static void WriteValidated(EnetModel model, Stream stream, int coefficientChunkBytes)
    {
        using var output = new HashingOutput(stream);
        Span<byte> header = stackalloc byte[ModelFormat.HeaderSize];
        ModelFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], ModelFormat.Major);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], ModelFormat.Minor);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        output.Write(header);

        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        WriteModelSection(model, buffer);
        output.Section(ModelFormat.TagModel, buffer);

        // Version 1.1: the family, class labels and CV measures, only where they differ from a 1.0 file's meaning.
        if (model.Family != ModelFamily.Gaussian || model.Paths.Any(q => q.Cv is { Measure: not CvMeasure.Mse }))
        {
            WriteFamily(model, buffer);
            output.Section(ModelFormat.TagFamily, buffer);
        }

        buffer.Count(model.Features.Length);
        foreach (string name in model.Features)
        {
            buffer.Str(name);
        }

        output.Section(ModelFormat.TagFeatures, buffer);

        WritePreprocessing(model.Preprocessing, model.Features, buffer);
        output.Section(ModelFormat.TagPreprocessing, buffer);

        // Version 1.2: the KNN donors or regression models that impute a new row's missing cells.
        if (model.Preprocessing.Imputer is { } imputer)
        {
            WriteImputer(imputer, model.Features.Length, buffer);
            output.Section(ModelFormat.TagImputer, buffer);
        }

        WriteScales(model, buffer);
        output.Section(ModelFormat.TagScale, buffer);

        if (model.StabilityFrequency is { } frequency)
        {
            buffer.Count(frequency.Length);
            WriteVector(buffer, frequency, defaultBits: 0);
            output.Section(ModelFormat.TagStability, buffer);
        }

        for (int i = 0; i < model.Paths.Length; i++)
        {
            EnetPath path = model.Paths[i];
            WritePath(i, path, buffer);
            output.Section(ModelFormat.TagPath, buffer);
            WriteCoefficients(i, path, buffer, output, coefficientChunkBytes);
        }

        WriteTraining(model.Training, buffer);
        output.Section(ModelFormat.TagTraining, buffer);

        output.Section(ModelFormat.TagEnd, buffer);
        output.Finish();
    }

    private static void WriteFamily(EnetModel model, ArrayBufferWriter<byte> w)
    {
        w.U8((byte)model.Family);
        w.Bool(model.Labels is not null);
        if (model.Labels is { } labels)
        {
            w.Str(labels.Negative);
            w.Str(labels.Positive);
        }

        w.Count(model.Paths.Length);
        foreach (EnetPath path in model.Paths)
        {
            w.U8(path.Cv is { } cv ? (byte)cv.Measure : ModelFormat.NoMeasure);
        }
    }

    // IMPU (1.2): method (4 knn, 5 regression). KNN: K, p, the p distance weights, the donor count and their values
    // (feature-major, NaN missing). Regression: rounds; per round the models; per model feature, m, the m predictors,
    // centres, inverse scales and coefficients, the intercept and the residual sd.
    private static void WriteImputer(CellImputerModel imputer, int p, ArrayBufferWriter<byte> w)
    {
        if (imputer.Method == ImputeStrategy.Knn)
        {
            if ((long)imputer.DonorCount * p * sizeof(double) > Array.MaxLength - 1024)
            {
                throw new ArgumentException($"--store-donors: {imputer.DonorCount:N0} donor rows × {p:N0} features do not fit in one model section (2 GB); fit without --store-donors.");
            }

            w.U8(4);
            w.I32(imputer.Neighbours);
            w.Count(p);
            w.F64s(imputer.ColumnWeights);
            w.Count(imputer.DonorCount);
            w.F64s(imputer.Donors);
            return;
        }

        w.U8(5);
        w.Count(imputer.Rounds.Length);
        foreach (var round in imputer.Rounds)
        {
            w.Count(round.Length);
            foreach (var f in round)
            {
                w.I32(f.Feature);
                w.Count(f.Predictors.Length);
                w.I32s(f.Predictors);
                w.F64s(f.Centre);
                w.F64s(f.InverseScale);
                w.F64s(f.Coefficients);
                w.F64(f.Intercept);
                w.F64(f.ResidualSd);
            }
        }
    }

    private static void WriteModelSection(EnetModel model, ArrayBufferWriter<byte> w)
    {
        w.Count(model.Features.Length);
        w.Count(model.Paths.Length);
        w.Count(model.Selected.PathIndex);
        w.Count(model.Selected.LambdaIndex);
        w.U8(model.Selected.Rule switch
        {
            SelectionRule.Last => 0,
            SelectionRule.Min => 1,
            SelectionRule.OneSe => 2,
            _ => throw new ArgumentException("Unknown selection rule.", nameof(model)),
        });
        w.Str(model.Target);
    }

    private static void WritePreprocessing(FeaturePreprocessing prep, string[] features, ArrayBufferWriter<byte> w)
    {
        w.U8(prep.Impute switch
        {
            ImputeStrategy.None => 0,
            ImputeStrategy.Mean => 1,
            ImputeStrategy.Median => 2,
            ImputeStrategy.Mode => 3,
            ImputeStrategy.Knn => 4,
            ImputeStrategy.Regression => 5,
            _ => throw new ArgumentException("Unknown impute strategy.", nameof(prep)),
        });
        int m = prep.InputColumns.Length;
        w.Count(m);

        // Input columns are almost always the first m feature names; storing them twice would double the name bytes.
        bool sameAsFeatures = prep.InputColumns.AsSpan().SequenceEqual(features.AsSpan(0, m));
        w.Bool(sameAsFeatures);
        if (!sameAsFeatures)
        {
            foreach (string name in prep.InputColumns)
            {
                w.Str(name);
            }
        }

        // NaN (no fill value) is the default: without imputation nothing is stored, with it every value but no index.
        WriteVector(w, prep.FillValues, ModelFormat.NaNBits);

        w.Count(prep.IndicatorColumns.Length);
        w.I32s(prep.IndicatorColumns);
    }

    /// <summary>
    /// SCAL: the scales of the features that have a stored coefficient at some λ of some path, in feature order. Only
    /// those are ever used (standardised coefficients of a solution); the reader derives the same feature set from the
    /// COEF sections and reads every other scale as NaN. This keeps the file's size independent of p for sparse models.
    /// </summary>
    private static void WriteScales(EnetModel model, ArrayBufferWriter<byte> w)
    {
        bool[] used = ModelFormat.FeaturesWithCoefficients(model.Features.Length, model.Paths);
        int count = 0;
        foreach (bool u in used)
        {
            count += u ? 1 : 0;
        }

        w.Count(model.FeatureScale.Length);
        w.Count(count);
        Span<byte> bytes = w.GetSpan(count * sizeof(double));
        int o = 0;
        for (int j = 0; j < used.Length; j++)
        {
            if (used[j])
            {
                BinaryPrimitives.WriteDoubleLittleEndian(bytes[o..], model.FeatureScale[j]);
                o += sizeof(double);
            }
        }

        w.Advance(o);
    }

    /// <summary>
    /// A vector whose entries mostly equal a default value (compared bit for bit): a mode byte, a count and a list of
    /// strictly increasing positions, then the values that differ from the default, in order. Mode 0 lists the positions
    /// that hold a value, mode 1 the positions that hold the default; the writer picks the shorter list (ties: mode 0).
    /// Cost: 5 + 8·(values) + 4·min(values, defaults) bytes.
    /// </summary>
    private static void WriteVector(ArrayBufferWriter<byte> w, double[] values, long defaultBits)
    {
        int defaults = 0;
        foreach (double v in values)
        {
            defaults += BitConverter.DoubleToInt64Bits(v) == defaultBits ? 1 : 0;
        }

        int stored = values.Length - defaults;
        bool listDefaults = defaults < stored;
        w.U8(listDefaults ? (byte)1 : (byte)0);
        w.Count(listDefaults ? defaults : stored);
        for (int j = 0; j < values.Length; j++)
        {
            if ((BitConverter.DoubleToInt64Bits(values[j]) == defaultBits) == listDefaults)
            {
                w.I32(j);
            }
        }

        for (int j = 0; j < values.Length; j++)
        {
            if (BitConverter.DoubleToInt64Bits(values[j]) != defaultBits)
            {
                w.F64(values[j]);
            }
        }
    }

    private static void WritePath(int index, EnetPath path, ArrayBufferWriter<byte> w)
    {
        w.Count(index);
        w.F64(path.L1Ratio);
        w.F64(path.NullDeviance);
        w.Count(path.Count);
        w.F64s(path.Lambda);
        w.F64s(path.Intercept);
        w.F64s(path.DevRatio);
        w.I32s(path.Df);
        w.F64s(path.DualGap);
        CvCurve? cv = path.Cv;
        w.Bool(cv is not null);
        if (cv is not null)
        {
            w.F64s(cv.Cvm);
            w.F64s(cv.Cvsd);
            w.F64(cv.LambdaMin);
            w.F64(cv.Lambda1se);
            w.Count(cv.IndexMin);
            w.Count(cv.Index1se);
        }
    }

    /// <summary>
    /// Coefficients go in their own sections, a run of consecutive λ each, so no section (and no reader buffer) has to
    /// hold a whole dense path.
    /// </summary>
    private static void WriteCoefficients(int pathIndex, EnetPath path, ArrayBufferWriter<byte> w, HashingOutput output, int chunkBytes)
    {
        int k = 0;
        while (k < path.Count)
        {
            int first = k;
            long bytes = 0;
            int end = k;
            do
            {
                bytes += 4 + (12L * path.Beta[end].Count);
                end++;
            }
            while (end < path.Count && bytes + 4 + (12L * path.Beta[end].Count) <= chunkBytes);

            if (bytes + 12 > Array.MaxLength)
            {
                throw new ArgumentException($"λ {first} of path {pathIndex} has too many non-zero coefficients to store.");
            }

            w.Count(pathIndex);
            w.Count(first);
            w.Count(end - first);
            for (int j = first; j < end; j++)
            {
                SparseCoefficients beta = path.Beta[j];
                w.Count(beta.Count);
                w.I32s(beta.Index);
                w.F64s(beta.Value);
            }

            output.Section(ModelFormat.TagCoefficients, w);
            k = end;
        }
    }

    private static void WriteTraining(TrainingInfo t, ArrayBufferWriter<byte> w)
    {
        w.I32(t.N);
        w.I32(t.P);
        w.I32(t.DroppedRows);
        w.Str(t.Device);
        w.Str(t.Precision);
        w.Str(t.SoftwareVersion);
        w.I64(t.TrainedUtc.UtcTicks);
        w.I16((short)t.TrainedUtc.TotalOffsetMinutes);
        w.Str(t.DataFingerprint);
        w.Bool(t.Standardize);
        w.Bool(t.Intercept);
        w.F64(t.LoadSeconds);
        w.F64(t.SolveSeconds);
    }

    /// <summary>Forwards bytes to the destination and hashes every one of them for the SHA-256 trailer.</summary>
    private sealed class HashingOutput(Stream destination) : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            _hash.AppendData(bytes);
            destination.Write(bytes);
        }

        /// <summary>Emits one section (tag, length, payload) from the buffer and empties the buffer.</summary>
        public void Section(uint tag, ArrayBufferWriter<byte> payload)
        {
            Span<byte> header = stackalloc byte[ModelFormat.SectionHeaderSize];
            BinaryPrimitives.WriteUInt32LittleEndian(header, tag);
            BinaryPrimitives.WriteUInt64LittleEndian(header[4..], (ulong)payload.WrittenCount);
            Write(header);
            Write(payload.WrittenSpan);
            payload.ResetWrittenCount();
        }

        public void Finish()
        {
            Span<byte> digest = stackalloc byte[ModelFormat.TrailerSize];
            _hash.GetHashAndReset(digest);
            destination.Write(digest);
        }

        public void Dispose() => _hash.Dispose();
    }
}
