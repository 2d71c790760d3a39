using System.Text.Json;

namespace GpuEnet.Host.Data;

/// <summary>
/// The sidecar <c>X.npy.json</c> that <c>gpuenet convert</c> writes beside a converted matrix: the feature names and
/// the target (name and one value per row, null = missing) of the text file it came from, so a later
/// <c>--data X.npy</c> loads the same features and target. Format: docs/npy-sidecar.md.
/// </summary>
internal sealed class NpySidecar
{
    /// <summary>The value of the <c>format</c> member.</summary>
    public const string Format = "gpuenet-npy-sidecar";

    /// <summary>The version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>Feature names, one per column of the matrix.</summary>
    public required string[] Features { get; init; }

    /// <summary>The target's name, or null when none was stored.</summary>
    public string? TargetName { get; init; }

    /// <summary>The target, one value per row (NaN = missing), or null.</summary>
    public double[]? Target { get; init; }

    /// <summary>The text file the matrix was converted from (for people; never read back).</summary>
    public string Source { get; init; } = "";

    /// <summary>The sidecar of <paramref name="npy"/>.</summary>
    public static string PathOf(string npy) => npy + ".json";

    /// <summary>Writes the sidecar of an n × p matrix.</summary>
    public void Write(Stream stream, int rows)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", Version);
        w.WriteString("source", Source);
        w.WriteNumber("rows", rows);
        w.WriteNumber("columns", Features.Length);
        w.WriteStartArray("features");
        foreach (string name in Features)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        if (Target is null)
        {
            w.WriteNull("target");
        }
        else
        {
            w.WriteStartObject("target");
            w.WriteString("name", TargetName);
            w.WriteStartArray("values");
            foreach (double v in Target)
            {
                if (double.IsNaN(v))
                {
                    w.WriteNullValue();
                }
                else
                {
                    w.WriteNumberValue(v); // shortest round-trip form: read back bit for bit
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>Reads the sidecar of <paramref name="npy"/> when there is one, checked against the matrix's shape.</summary>
    /// <exception cref="Cli.CliException">When it is not a sidecar this build reads, or describes another matrix.</exception>
    public static NpySidecar? TryRead(string npy, long rows, long columns)
    {
        string file = PathOf(npy);
        if (!File.Exists(file))
        {
            return null;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw DataErrors.File(file, $"is not valid JSON ({e.Message.Split('.')[0]}); it should be the sidecar 'gpuenet convert' writes beside '{npy}'.");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
                || format.GetString() != Format)
            {
                throw DataErrors.File(file, $"is not a gpuenet sidecar (no \"format\": \"{Format}\"); move it away or rename it.");
            }

            if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out int v) || v != Version)
            {
                throw DataErrors.File(file, $"has a sidecar version this gpuenet does not read (it reads version {Version}).");
            }

            long storedRows = Long(root, "rows", file), storedColumns = Long(root, "columns", file);
            if (storedRows != rows || storedColumns != columns)
            {
                throw DataErrors.File(file, $"describes a {storedRows} × {storedColumns} matrix but '{npy}' is {rows} × {columns}; it belongs to another file (convert again).");
            }

            if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array || features.GetArrayLength() != columns)
            {
                throw DataErrors.File(file, $"needs \"features\": an array of {columns} names.");
            }

            var names = new string[columns];
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            int k = 0;
            foreach (var name in features.EnumerateArray())
            {
                string? s = name.ValueKind == JsonValueKind.String ? name.GetString() : null;
                if (string.IsNullOrEmpty(s))
                {
                    throw DataErrors.File(file, $"feature {k + 1} has no name.");
                }

                if (!seen.TryAdd(s, k))
                {
                    throw DataErrors.File(file, $"names the feature '{DataErrors.Printable(s)}' twice (features {seen[s] + 1} and {k + 1}).");
                }

                names[k++] = s;
            }

            string? targetName = null;
            double[]? target = null;
            if (root.TryGetProperty("target", out var t) && t.ValueKind != JsonValueKind.Null)
            {
                if (t.ValueKind != JsonValueKind.Object || !t.TryGetProperty("name", out var tn) || tn.ValueKind != JsonValueKind.String
                    || string.IsNullOrEmpty(tn.GetString()) || !t.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array)
                {
                    throw DataErrors.File(file, "needs \"target\": null or {\"name\": …, \"values\": […]}.");
                }

                if (values.GetArrayLength() != rows)
                {
                    throw DataErrors.File(file, $"holds {values.GetArrayLength()} target values but '{npy}' has {rows} rows.");
                }

                targetName = tn.GetString();
                target = new double[rows];
                int i = 0;
                foreach (var value in values.EnumerateArray())
                {
                    target[i] = value.ValueKind switch
                    {
                        JsonValueKind.Null => double.NaN,
                        JsonValueKind.Number when value.TryGetDouble(out double d) && double.IsFinite(d) => d,
                        _ => throw DataErrors.File(file, $"target value {i + 1} is not a finite number or null."),
                    };
                    i++;
                }
            }

            return new NpySidecar { Features = names, TargetName = targetName, Target = target };
        }
    }

    private static long Long(JsonElement root, string member, string file) =>
        root.TryGetProperty(member, out var e) && e.TryGetInt64(out long v) && v >= 0
            ? v
            : throw DataErrors.File(file, $"needs \"{member}\": a whole number.");
}
