using GpuEnet.Host.Cli;

namespace GpuEnet.Host.Data;

/// <summary>
/// Reads a PLINK 1 binary fileset: <c>X.bed</c> (SNP-major genotypes) with <c>X.bim</c> (variants) and <c>X.fam</c>
/// (samples) beside it. Features are the variants, named by their <c>.bim</c> ID, valued by A1 dosage.
/// </summary>
/// <remarks>
/// The target is, in order of precedence: <see cref="DataRequest.TargetFile"/> (one value per <c>.fam</c> sample);
/// the <see cref="DataRequest.Target"/> column of <see cref="DataRequest.PhenoFile"/> (matched by FID and IID; samples
/// absent from it are dropped); otherwise the <c>.fam</c> phenotype (column 6), labelled <see cref="DataRequest.Target"/>.
/// Missing phenotypes are <c>-9</c>, <c>NA</c> and <c>NaN</c>. Unlike PLINK's case/control convention, <c>0</c> is a
/// valid (quantitative) value for the Gaussian family; with <see cref="DataRequest.CaseControl"/> (binomial family) the
/// <c>.fam</c> phenotype follows PLINK's case/control coding, 1 = control, 2 = case, 0 and -9 missing. Weights come only from a
/// phenotype-file column, where <c>-9</c> is missing as well. Blank lines in <c>.fam</c>, <c>.bim</c> and the
/// phenotype file are skipped.
/// </remarks>
internal static class PlinkReader
{
    public static Dataset Read(DataRequest request, TargetVector? externalTarget)
    {
        string bed = request.Path;
        string bim = Path.ChangeExtension(bed, ".bim");
        string fam = Path.ChangeExtension(bed, ".fam");
        foreach (string f in new[] { bim, fam })
        {
            if (!File.Exists(f))
            {
                throw new CliException($"PLINK file '{f}' (needed beside '{bed}') does not exist.");
            }
        }

        var samples = ReadFam(fam, request.CaseControl);
        string[] variants = ReadBim(bim);
        int n = samples.Count, p = variants.Length;
        if (n == 0)
        {
            throw DataErrors.File(fam, "lists no samples.");
        }

        if (p == 0)
        {
            throw DataErrors.File(bim, "lists no variants.");
        }

        CheckBed(bed, n, p, fam, bim);

        bool wantTarget = request.Target is not null || externalTarget is not null;
        double[]? y = null, w = null;
        if (request.WeightsColumn is not null && wantTarget && (request.PhenoFile is null || externalTarget is not null))
        {
            throw new CliException($"Weights column '{request.WeightsColumn}' for '{bed}' needs a phenotype file holding it (and the target).", 2);
        }

        if (externalTarget is not null)
        {
            y = externalTarget.Values;
            if (y.Length != n)
            {
                throw DataErrors.File(externalTarget.File, $"has {y.Length} values but '{fam}' lists {n} samples.");
            }
        }
        else if (request.Target is not null && request.PhenoFile is not null)
        {
            (y, w) = ReadPheno(request.PhenoFile, request.Target, request.WeightsColumn, samples);
        }
        else if (request.Target is not null)
        {
            y = new double[n];
            for (int i = 0; i < n; i++)
            {
                y[i] = samples[i].Phenotype;
            }
        }

        List<int> keep = [];
        for (int i = 0; i < n; i++)
        {
            if (y is null || (!double.IsNaN(y[i]) && (w is null || !double.IsNaN(w[i]))))
            {
                keep.Add(i);
            }
        }

        if (keep.Count == 0)
        {
            throw DataErrors.File(bed, $"has no sample with a target{(w is null ? "" : " and a weight")} ({n} samples were dropped as missing).");
        }

        int[] kept = [.. keep];
        var view = new MappedFileView(bed);
        PackedGenotypes x;
        try
        {
            x = new PackedGenotypes(view, n, p, kept.Length == n ? null : kept);
            if (request.Sharded)
            {
                x.ReleaseResidentPages();
            }
        }
        catch
        {
            view.Dispose();
            throw;
        }

        return new Dataset
        {
            Features = variants,
            X = x,
            Y = y is null ? [] : [.. kept.Select(i => y[i])],
            Weights = w is null ? null : [.. kept.Select(i => w[i])],
            Target = TargetVector.Label(request, externalTarget),
            DroppedRows = n - kept.Length,
            SourceRows = [.. kept.Select(i => i + 1)],
            Origin = bed,
        };
    }

    private static void CheckBed(string bed, int n, int p, string fam, string bim)
    {
        long bytesPerVariant = (n + 3) / 4;
        long expected = PackedGenotypes.HeaderBytes + (p * bytesPerVariant);
        using var fs = new FileStream(bed, FileMode.Open, FileAccess.Read, FileShare.Read, 16);
        Span<byte> magic = stackalloc byte[3];
        int got = fs.ReadAtLeast(magic, 3, throwOnEndOfStream: false);
        if (got < 3 || magic[0] != 0x6c || magic[1] != 0x1b)
        {
            throw DataErrors.File(bed, "is not a PLINK 1 .bed file (its first bytes are not 6c 1b).");
        }

        if (magic[2] != 0x01)
        {
            throw DataErrors.File(bed, "is in individual-major mode, which is not supported (rewrite it with 'plink --bfile … --make-bed').");
        }

        if (fs.Length != expected)
        {
            throw DataErrors.File(bed, $"has {fs.Length} bytes but {expected} are expected (3 + {p} variants × {bytesPerVariant} bytes) " +
                $"for the {n} samples of '{fam}' and the {p} variants of '{bim}'.");
        }
    }

    private readonly record struct Sample(string Fid, string Iid, double Phenotype);

    private static List<Sample> ReadFam(string fam, bool caseControl)
    {
        var samples = new List<Sample>();
        ReadRecords(fam, "FID IID father mother sex phenotype", (line, fields, count, lineNo) =>
        {
            var pheno = line[fields[5]];
            if (count == 7)
            {
                int space = pheno.IndexOfAny(' ', '\t');
                pheno = space < 0 ? pheno : pheno[..space];
            }

            double value = Phenotype(pheno, fam, lineNo, "phenotype");
            value = caseControl && value == 0 ? double.NaN : value;
            samples.Add(new Sample(line[fields[0]].ToString(), line[fields[1]].ToString(), value));
        });
        return samples;
    }

    private static string[] ReadBim(string bim)
    {
        var ids = new List<string>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        ReadRecords(bim, "chromosome ID cM position A1 A2", (line, fields, _, lineNo) =>
        {
            string id = line[fields[1]].ToString();
            if (!seen.TryAdd(id, lineNo))
            {
                throw DataErrors.At(bim, lineNo, "ID", $"variant ID '{id}' appears twice (lines {seen[id]} and {lineNo}); IDs name the features and must be unique.");
            }

            ids.Add(id);
        });
        return [.. ids];
    }

    private delegate void RecordHandler(ReadOnlySpan<char> line, ReadOnlySpan<Range> fields, int count, int lineNo);

    // The whitespace-separated records of a .fam or .bim file: blank lines are skipped, fewer than 6 fields is an error
    // naming the file and line; the handler sees up to 7 fields (the 7th holds the rest of the line).
    private static void ReadRecords(string file, string fieldNames, RecordHandler handle)
    {
        Span<Range> fields = stackalloc Range[7];
        int lineNo = 0;
        foreach (string line in File.ReadLines(file))
        {
            lineNo++;
            var s = line.AsSpan();
            int count = s.SplitAny(fields, " \t", StringSplitOptions.RemoveEmptyEntries);
            if (count == 0)
            {
                continue;
            }

            if (count < 6)
            {
                throw DataErrors.At(file, lineNo, null, $"expected 6 fields ({fieldNames}) but found {count}.");
            }

            handle(s, fields[..count], count, lineNo);
        }
    }

    /// <summary>A phenotype cell: -9, NA and NaN are missing (NaN); 0 is a value.</summary>
    private static double Phenotype(ReadOnlySpan<char> cell, string file, int lineNo, string column) =>
        NumberText.Parse(cell, out double v) switch
        {
            CellKind.Number => v == -9 ? double.NaN : v,
            CellKind.Missing => double.NaN,
            CellKind.Infinite => throw DataErrors.At(file, lineNo, column, $"{DataErrors.Show(cell)} is not a finite number."),
            _ => throw DataErrors.At(file, lineNo, column, $"{DataErrors.Show(cell)} is not a number."),
        };

    private static (double[] Y, double[]? W) ReadPheno(string pheno, string target, string? weights, List<Sample> samples)
    {
        if (!File.Exists(pheno))
        {
            throw new CliException($"Phenotype file '{pheno}' does not exist.");
        }

        var byKey = new Dictionary<(string, string), (double Y, double W)>();
        string[]? header = null;
        int targetColumn = -1, weightsColumn = -1, lineNo = 0;
        foreach (string line in File.ReadLines(pheno))
        {
            lineNo++;
            string[] fields = line.Split((char[]?)[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            if (header is null)
            {
                header = fields;
                if (header.Length < 3 || !header[0].TrimStart('#').Equals("FID", StringComparison.OrdinalIgnoreCase)
                    || !header[1].Equals("IID", StringComparison.OrdinalIgnoreCase))
                {
                    throw DataErrors.At(pheno, lineNo, null, "the header must start with 'FID IID' followed by phenotype names.");
                }

                targetColumn = Array.IndexOf(header, target, 2);
                if (targetColumn < 0)
                {
                    throw DataErrors.At(pheno, lineNo, target, $"no such target column; the header has {DataErrors.List(header[2..])}.");
                }

                if (weights is not null)
                {
                    weightsColumn = Array.IndexOf(header, weights, 2);
                    if (weightsColumn < 0)
                    {
                        throw DataErrors.At(pheno, lineNo, weights, $"no such weights column; the header has {DataErrors.List(header[2..])}.");
                    }

                    if (weightsColumn == targetColumn)
                    {
                        throw DataErrors.At(pheno, lineNo, weights, "the same column cannot be both the target and the weights.");
                    }
                }

                continue;
            }

            if (fields.Length != header.Length)
            {
                throw DataErrors.At(pheno, lineNo, header[Math.Min(fields.Length, header.Length - 1)],
                    $"the row has {fields.Length} fields but the header has {header.Length}.");
            }

            double y = Phenotype(fields[targetColumn], pheno, lineNo, target);
            double w = 1;
            if (weightsColumn >= 0)
            {
                w = Phenotype(fields[weightsColumn], pheno, lineNo, weights!);
                if (w < 0)
                {
                    throw DataErrors.At(pheno, lineNo, weights, $"the weight '{fields[weightsColumn]}' is negative.");
                }
            }

            if (!byKey.TryAdd((fields[0], fields[1]), (y, w)))
            {
                throw DataErrors.At(pheno, lineNo, null, $"sample FID '{fields[0]}' IID '{fields[1]}' appears twice.");
            }
        }

        if (header is null)
        {
            throw DataErrors.File(pheno, "is empty (a header 'FID IID name…' is required).");
        }

        var yv = new double[samples.Count];
        var wv = weightsColumn >= 0 ? new double[samples.Count] : null;
        for (int i = 0; i < samples.Count; i++)
        {
            var (yi, wi) = byKey.TryGetValue((samples[i].Fid, samples[i].Iid), out var found) ? found : (double.NaN, double.NaN);
            yv[i] = yi;
            if (wv is not null)
            {
                wv[i] = wi;
            }
        }

        return (yv, wv);
    }
}
