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
    /// <remarks>
    /// A forward-only <see cref="Utf8JsonReader"/> rather than a document: first use of a document costs ~100 ms of
    /// JIT (measured, with tiered compilation off as the CLI runs), most of a mapped load's time.
    /// </remarks>
    public static NpySidecar? TryRead(string npy, long rows, long columns)
    {
        string file = PathOf(npy);
        if (!File.Exists(file))
        {
            return null;
        }

        var raw = new Raw();
        try
        {
            var reader = new Utf8JsonReader(File.ReadAllBytes(file), new JsonReaderOptions { MaxDepth = 8 });
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                ReadMembers(ref reader, raw);
            }

            while (reader.Read())
            {
                // the rest must be valid JSON too (the reader throws on anything after the object)
            }
        }
        catch (JsonException e)
        {
            throw DataErrors.File(file, $"is not valid JSON ({e.Message.Split('.')[0]}); it should be the sidecar 'gpuenet convert' writes beside '{npy}'.");
        }

        if (raw.Format != Format)
        {
            throw DataErrors.File(file, $"is not a gpuenet sidecar (no \"format\": \"{Format}\"); move it away or rename it.");
        }

        if (raw.Version != Version)
        {
            throw DataErrors.File(file, $"has a sidecar version this gpuenet does not read (it reads version {Version}).");
        }

        long storedRows = raw.Rows ?? throw DataErrors.File(file, "needs \"rows\": a whole number.");
        long storedColumns = raw.Columns ?? throw DataErrors.File(file, "needs \"columns\": a whole number.");
        if (storedRows != rows || storedColumns != columns)
        {
            throw DataErrors.File(file, $"describes a {storedRows} × {storedColumns} matrix but '{npy}' is {rows} × {columns}; it belongs to another file (convert again).");
        }

        if (raw.Features is not { } features || features.Count != columns)
        {
            throw DataErrors.File(file, $"needs \"features\": an array of {columns} names.");
        }

        var seen = new Dictionary<string, int>(features.Count, StringComparer.Ordinal);
        for (int k = 0; k < features.Count; k++)
        {
            string? s = features[k];
            if (string.IsNullOrEmpty(s))
            {
                throw DataErrors.File(file, $"feature {k + 1} has no name.");
            }

            if (!seen.TryAdd(s, k))
            {
                throw DataErrors.File(file, $"names the feature '{DataErrors.Printable(s)}' twice (features {seen[s] + 1} and {k + 1}).");
            }
        }

        double[]? target = null;
        if (raw.TargetGiven)
        {
            if (string.IsNullOrEmpty(raw.TargetName) || raw.Values is null)
            {
                throw DataErrors.File(file, "needs \"target\": null or {\"name\": …, \"values\": […]}.");
            }

            if (raw.Values.Count != rows)
            {
                throw DataErrors.File(file, $"holds {raw.Values.Count} target values but '{npy}' has {rows} rows.");
            }

            int bad = raw.Values.FindIndex(v => double.IsInfinity(v));
            if (bad >= 0)
            {
                throw DataErrors.File(file, $"target value {bad + 1} is not a finite number or null.");
            }

            target = [.. raw.Values];
        }

        return new NpySidecar { Features = [.. features!], TargetName = raw.TargetGiven ? raw.TargetName : null, Target = target };
    }

    private static void ReadMembers(ref Utf8JsonReader reader, Raw raw)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "format":
                    raw.Format = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "version":
                    raw.Version = WholeNumber(ref reader) ?? -1;
                    break;
                case "rows":
                    raw.Rows = WholeNumber(ref reader);
                    break;
                case "columns":
                    raw.Columns = WholeNumber(ref reader);
                    break;
                case "features" when reader.TokenType == JsonTokenType.StartArray:
                    raw.Features = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        raw.Features.Add(reader.TokenType == JsonTokenType.String ? reader.GetString() : null);
                        reader.Skip();
                    }

                    break;
                case "target" when reader.TokenType == JsonTokenType.StartObject:
                    raw.TargetGiven = true;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        string member = reader.GetString()!;
                        reader.Read();
                        if (member == "name" && reader.TokenType == JsonTokenType.String)
                        {
                            raw.TargetName = reader.GetString();
                        }
                        else if (member == "values" && reader.TokenType == JsonTokenType.StartArray)
                        {
                            raw.Values = [];
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                            {
                                // Anything but a number or null is marked infinite, and refused by the caller.
                                raw.Values.Add(reader.TokenType == JsonTokenType.Null ? double.NaN
                                    : reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double v) && double.IsFinite(v) ? v
                                    : double.PositiveInfinity);
                                reader.Skip();
                            }
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    break;
                case "target" when reader.TokenType == JsonTokenType.Null:
                    break;
                case "target":
                    raw.TargetGiven = true; // neither null nor an object: refused as malformed
                    reader.Skip();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private static long? WholeNumber(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v) && v >= 0 ? v : null;

    /// <summary>The members as read, checked afterwards.</summary>
    private sealed class Raw
    {
        public string? Format { get; set; }

        public long Version { get; set; } = -1;

        public long? Rows { get; set; }

        public long? Columns { get; set; }

        public List<string?>? Features { get; set; }

        public bool TargetGiven { get; set; }

        public string? TargetName { get; set; }

        public List<double>? Values { get; set; }
    }
}
