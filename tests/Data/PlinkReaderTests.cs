using GpuEnet.Host.Data;
using GpuEnet.Kernels;
using Xunit;
using static GpuEnet.Tests.Data.TestWriters;

namespace GpuEnet.Tests.Data;

public class PlinkReaderTests
{
    [Fact]
    public void HandMadeBytesDecodeAsPlinkSpecifies()
    {
        // One variant, five samples. The first sample sits in the LOWEST two bits of the first byte; a code is read
        // as (high bit, low bit): 00 hom A1 → 2, 01 missing, 10 het → 1, 11 hom A2 → 0.
        //   byte 0 = 0b11_10_01_00 = 0xE4: sample0 00 → 2, sample1 01 → missing, sample2 10 → 1, sample3 11 → 0
        //   byte 1 = 0b00_00_00_10 = 0x02: sample4 10 → 1 (the six high bits are padding)
        // Second variant: 0x1B = 0b00_01_10_11 → 0, 1, missing, 2; 0x03 → sample4 11 → 0.
        using var dir = new TempDir();
        string bed = dir.File("hand.bed");
        File.WriteAllBytes(bed, [0x6c, 0x1b, 0x01, 0xE4, 0x02, 0x1B, 0x03]);
        File.WriteAllText(dir.File("hand.bim"), "1 snpA 0 100 A G\n1 snpB 0 200 C T\n");
        File.WriteAllText(dir.File("hand.fam"), "f a 0 0 1 1.5\nf b 0 0 2 -9\nf c 0 0 1 0\nf d 0 0 2 2\nf e 0 0 1 NA\n");

        var all = DataLoader.Load(new DataRequest(bed));
        var g = Assert.IsType<PackedGenotypes>(all.X);
        Assert.Equal(Precision.Packed2Bit, g.Precision);
        Assert.Equal(["snpA", "snpB"], all.Features);
        Assert.Equal([2.0, 0, 1, 0, 1], Col(g, 0));
        Assert.Equal([1], g.MissingRows(0).ToArray());
        Assert.Equal([0.0, 1, 0, 2, 0], Col(g, 1));
        Assert.Equal([2], g.MissingRows(1).ToArray());
        Assert.True(g.HasMissing);
        Assert.Equal(4, g.StorageBytes);
        Assert.Equal(0, all.DroppedRows);

        // .fam phenotype: -9 and NA are missing, 0 is a value.
        var d = DataLoader.Load(new DataRequest(bed) { Target = "trait" });
        Assert.Equal(2, d.DroppedRows);
        Assert.Equal([1, 3, 4], d.SourceRows!);
        Assert.Equal([1.5, 0, 2], d.Y);
        Assert.Equal("trait", d.Target);
        Assert.Equal([2.0, 1, 0], Col(d.X, 0));
        Assert.Empty(d.X.MissingRows(0).ToArray()); // the missing call was on dropped sample 'b'
        Assert.Equal([0.0, 0, 2], Col(d.X, 1));
        Assert.Equal([1], d.X.MissingRows(1).ToArray()); // sample 'c' is kept row 1
    }

    [Theory]
    [InlineData(13, 5)]
    [InlineData(64, 3)]
    [InlineData(101, 4)]
    public void RandomGenotypesRoundTrip(int n, int p)
    {
        using var dir = new TempDir();
        var rng = new Random(n);
        var g = new int[n, p];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < p; j++)
            {
                g[i, j] = rng.Next(-1, 3);
            }
        }

        string bed = Plink(dir, "r", g);
        using var x = Assert.IsType<PackedGenotypes>(DataLoader.Load(new DataRequest(bed)).X);
        for (int j = 0; j < p; j++)
        {
            var col = Col(x, j);
            var missing = new List<int>();
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(g[i, j] < 0 ? 0 : g[i, j], col[i]);
                if (g[i, j] < 0)
                {
                    missing.Add(i);
                }
            }

            Assert.Equal(missing, x.MissingRows(j).ToArray());
        }
    }

    [Fact]
    public void MissingCallListsAreMadeOnlyForTheBlocksRead()
    {
        // Opening counts each variant's missing calls and notes the rows with one; the row lists are made a block of
        // variants at a time when first asked for (an MPI rank asks only for its own columns'), and equal what the codes
        // say, dropped samples left out.
        using var dir = new TempDir();
        int n = 23, p = (2 * PackedGenotypes.ListBlock) + 7;
        var g = new int[n, p];
        var rng = new Random(11);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < p; j++)
            {
                g[i, j] = i % 3 == 0 && rng.Next(10) == 0 ? -1 : rng.Next(3);
            }
        }

        var phenotypes = Enumerable.Range(0, n).Select(i => i % 7 == 3 ? "-9" : "1.5").ToArray();
        string bed = Plink(dir, "lazy", g, phenotypes);
        var data = DataLoader.Load(new DataRequest(bed) { Target = "phenotype" });
        using var x = Assert.IsType<PackedGenotypes>(data.X);
        int[] rows = [.. data.SourceRows!.Select(r => r - 1)];
        var expected = new List<int>[p];
        for (int j = 0; j < p; j++)
        {
            expected[j] = [.. Enumerable.Range(0, rows.Length).Where(k => g[rows[k], j] < 0)];
        }

        Assert.Equal(expected.Sum(list => list.Count), x.MissingCalls);
        Assert.Equal(expected.Select(list => list.Count), Enumerable.Range(0, p).Select(x.MissingCount));
        Assert.Equal(0, x.ListedBlocks);
        var incomplete = x.IncompleteRows();
        Assert.Equal(Enumerable.Range(0, rows.Length).Select(k => expected.Any(list => list.Contains(k))), incomplete);
        Assert.Contains(true, incomplete);
        Assert.Contains(false, incomplete);
        Assert.Equal(0, x.ListedBlocks); // listwise deletion needs no list

        int last = p - 1;
        Assert.Equal(expected[last], x.MissingRows(last).ToArray());
        Assert.Equal(1, x.ListedBlocks);
        for (int j = 0; j < p; j++)
        {
            Assert.Equal(expected[j], x.MissingRows(j).ToArray());
        }

        Assert.Equal(3, x.ListedBlocks);
    }

    [Fact]
    public void PhenoFileGivesTargetAndWeights()
    {
        using var dir = new TempDir();
        var g = new int[6, 2];
        for (int i = 0; i < 6; i++)
        {
            g[i, 0] = i % 3;
            g[i, 1] = i == 4 ? -1 : 2 - (i % 3);
        }

        string bed = Plink(dir, "p", g);
        string pheno = dir.Write("pheno.txt", "FID IID height w\nF5 I5 5.5 1\nF0 I0 0.5 2\nF1 I1 -9 1\nF4 I4 4.5 0.5\nF2 I2 2.5 NA\n");
        var d = DataLoader.Load(new DataRequest(bed) { PhenoFile = pheno, Target = "height", WeightsColumn = "w" });
        Assert.Equal([1, 5, 6], d.SourceRows!); // F1: -9, F2: no weight, F3: absent
        Assert.Equal(3, d.DroppedRows);
        Assert.Equal([0.5, 4.5, 5.5], d.Y);
        Assert.Equal([2, 0.5, 1], d.Weights!);
        Assert.Equal([0.0, 1, 2], Col(d.X, 0));
        Assert.Equal([1], d.X.MissingRows(1).ToArray());

        Assert.Contains("pheno.txt' line 1, column 'bmi'",
            Fails(() => DataLoader.Load(new DataRequest(bed) { PhenoFile = pheno, Target = "bmi" })).Message);
        string ragged = dir.Write("ragged.txt", "FID IID height\nF0 I0\n");
        Assert.Contains("ragged.txt' line 2", Fails(() => DataLoader.Load(new DataRequest(bed) { PhenoFile = ragged, Target = "height" })).Message);
    }

    [Fact]
    public void BadFilesetsAreErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        string bed = Plink(dir, "b", new int[5, 3]);
        File.AppendAllText(dir.File("b.bim"), "1 extra 0 5 A C\n");
        var ex = Fails(() => DataLoader.Load(new DataRequest(bed)));
        Assert.Contains("b.bed", ex.Message);
        Assert.Contains("4 variants", ex.Message);

        string bed2 = Plink(dir, "m", new int[5, 3]);
        var bytes = File.ReadAllBytes(bed2);
        bytes[2] = 0;
        File.WriteAllBytes(bed2, bytes);
        Assert.Contains("individual-major", Fails(() => DataLoader.Load(new DataRequest(bed2))).Message);
        bytes[0] = 0;
        File.WriteAllBytes(bed2, bytes);
        Assert.Contains("m.bed' is not a PLINK 1 .bed", Fails(() => DataLoader.Load(new DataRequest(bed2))).Message);

        string bed3 = Plink(dir, "f", new int[4, 2]);
        File.WriteAllText(dir.File("f.fam"), "a b 0 0\n");
        Assert.Contains("f.fam' line 1", Fails(() => DataLoader.Load(new DataRequest(bed3))).Message);
        File.Delete(dir.File("f.fam"));
        Assert.Contains("f.fam", Fails(() => DataLoader.Load(new DataRequest(bed3))).Message);

        // .bim: blank lines are skipped; a short record and a repeated variant ID name the file and the line.
        string bed4 = Plink(dir, "v", new int[4, 2]);
        File.WriteAllText(dir.File("v.bim"), "1 s1 0 1 A C\n\n1 s2 0\n");
        var shortRecord = Fails(() => DataLoader.Load(new DataRequest(bed4))).Message;
        Assert.Contains("v.bim' line 3", shortRecord);
        Assert.Contains("chromosome ID cM position A1 A2", shortRecord);
        File.WriteAllText(dir.File("v.bim"), "1 s1 0 1 A C\n1 s1 0 2 A C\n");
        Assert.Contains("appears twice (lines 1 and 2)", Fails(() => DataLoader.Load(new DataRequest(bed4))).Message);
    }
}
