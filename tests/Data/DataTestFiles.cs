using System.Globalization;
using System.IO.Compression;
using System.Text;
using GpuEnet.Host.Cli;
using GpuEnet.Kernels;
using Xunit;

namespace GpuEnet.Tests.Data;

/// <summary>A temporary directory for one test, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gpuenet-data-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        string f = File(name);
        System.IO.File.WriteAllText(f, text);
        return f;
    }

    public string WriteGz(string name, string text)
    {
        string f = File(name);
        using var fs = System.IO.File.Create(f);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(text));
        return f;
    }

    public void Dispose()
    {
        GC.Collect(); // release memory maps before deleting their files (matters on Windows)
        GC.WaitForPendingFinalizers();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Minimal writers for test inputs (written here, independently of the readers).</summary>
public static class TestWriters
{
    /// <summary>Writes a 2-D .npy from a row-major array; <paramref name="major"/> 1 or 2 selects the header version.</summary>
    public static void Npy(string path, double[,] x, bool fortran, bool single, int major = 1, string? dictOverride = null)
    {
        int n = x.GetLength(0), p = x.GetLength(1);
        string dict = dictOverride ?? $"{{'descr': '{(single ? "<f4" : "<f8")}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': ({n}, {p}), }}";
        using var ms = new MemoryStream();
        using var bw = new BinaryWriter(ms);
        WriteHeader(bw, dict, major);
        for (int a = 0; a < (fortran ? p : n); a++)
        {
            for (int b = 0; b < (fortran ? n : p); b++)
            {
                double v = fortran ? x[b, a] : x[a, b];
                if (single)
                {
                    bw.Write((float)v);
                }
                else
                {
                    bw.Write(v);
                }
            }
        }

        bw.Flush();
        System.IO.File.WriteAllBytes(path, ms.ToArray());
    }

    /// <summary>Writes a 1-D float64 .npy.</summary>
    public static void NpyVector(string path, double[] y)
    {
        using var ms = new MemoryStream();
        using var bw = new BinaryWriter(ms);
        WriteHeader(bw, $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({y.Length},), }}", 1);
        foreach (double v in y)
        {
            bw.Write(v);
        }

        bw.Flush();
        System.IO.File.WriteAllBytes(path, ms.ToArray());
    }

    private static void WriteHeader(BinaryWriter bw, string dict, int major)
    {
        int fixedPart = major == 1 ? 10 : 12;
        int total = fixedPart + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        bw.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 });
        if (major == 1)
        {
            bw.Write((ushort)header.Length);
        }
        else
        {
            bw.Write((uint)header.Length);
        }

        bw.Write(Encoding.Latin1.GetBytes(header));
    }

    /// <summary>
    /// Writes X.bed/.bim/.fam from dosages[sample, variant] (−1 = missing), encoding A1 dosage 2 → 00, 1 → 10,
    /// 0 → 11, missing → 01 (codes as high·2 + low), first sample in the lowest two bits.
    /// </summary>
    public static string Plink(TempDir dir, string stem, int[,] dosages, string[]? phenotypes = null)
    {
        int n = dosages.GetLength(0), p = dosages.GetLength(1);
        int bpv = (n + 3) / 4;
        var bytes = new byte[3 + (p * bpv)];
        bytes[0] = 0x6c;
        bytes[1] = 0x1b;
        bytes[2] = 0x01;
        for (int j = 0; j < p; j++)
        {
            for (int i = 0; i < n; i++)
            {
                int code = dosages[i, j] switch { 2 => 0b00, 1 => 0b10, 0 => 0b11, _ => 0b01 };
                bytes[3 + (j * bpv) + (i / 4)] |= (byte)(code << (2 * (i % 4)));
            }
        }

        string bed = dir.File(stem + ".bed");
        System.IO.File.WriteAllBytes(bed, bytes);
        var bim = new StringBuilder();
        for (int j = 0; j < p; j++)
        {
            bim.Append(CultureInfo.InvariantCulture, $"1\trs{j + 1}\t0\t{1000 + j}\tA\tG\n");
        }

        System.IO.File.WriteAllText(dir.File(stem + ".bim"), bim.ToString());
        var fam = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            fam.Append(CultureInfo.InvariantCulture, $"F{i} I{i} 0 0 1 {phenotypes?[i] ?? (i * 0.5).ToString(CultureInfo.InvariantCulture)}\n");
        }

        System.IO.File.WriteAllText(dir.File(stem + ".fam"), fam.ToString());
        return bed;
    }

    public static double[] Col(IColumnSource x, int j) => x.Column(j, new double[x.Rows]).ToArray();

    public static CliException Fails(Action load)
    {
        var ex = Assert.Throws<CliException>(load);
        Assert.DoesNotContain('\n', ex.Message);
        return ex;
    }
}
