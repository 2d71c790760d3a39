using System.Text.Json;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>
/// <c>gpuenet cv --device ilgpu-cpu</c> (the GPU kernels on ILGPU's CPU accelerator) gives the SIMD backend's answer, and
/// the JSON says where the work went (<c>timing.device_traffic</c>).
/// </summary>
[Collection("Console")]
public sealed class IlgpuCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpuenet-ilgpu-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CrossValidationOnIlgpuCpuGivesTheSimdAnswer()
    {
        string data = Path.Combine(AppContext.BaseDirectory, "fixtures", "glmnet", "nostd", "data.csv");
        JsonElement simd = Cv(data, "cpu"), ilgpu = Cv(data, "ilgpu-cpu");

        Assert.Equal("cpu", simd.GetProperty("device").GetString());
        Assert.Equal("ilgpu-cpu", ilgpu.GetProperty("device").GetString());
        var (a, b) = (simd.GetProperty("selected"), ilgpu.GetProperty("selected"));
        Assert.Equal(a.GetProperty("l1_ratio").GetDouble(), b.GetProperty("l1_ratio").GetDouble());
        Assert.Equal(a.GetProperty("lambda").GetDouble(), b.GetProperty("lambda").GetDouble(), 1e-12);
        var pathsA = simd.GetProperty("paths").EnumerateArray().ToArray();
        var pathsB = ilgpu.GetProperty("paths").EnumerateArray().ToArray();
        Assert.Equal(pathsA.Length, pathsB.Length);
        for (int l = 0; l < pathsA.Length; l++)
        {
            double[] cvmA = Numbers(pathsA[l].GetProperty("cv").GetProperty("cvm")), cvmB = Numbers(pathsB[l].GetProperty("cv").GetProperty("cvm"));
            Assert.Equal(cvmA.Length, cvmB.Length);
            for (int k = 0; k < cvmA.Length; k++)
            {
                Assert.True(Math.Abs(cvmA[k] - cvmB[k]) <= 1e-8 * Math.Abs(cvmA[k]), $"cvm[{k}]: {cvmA[k]} vs {cvmB[k]}");
            }

            double[] b0A = Numbers(pathsA[l].GetProperty("intercept")), b0B = Numbers(pathsB[l].GetProperty("intercept"));
            for (int k = 0; k < b0A.Length; k++)
            {
                Assert.True(Math.Abs(b0A[k] - b0B[k]) <= 1e-8 * Math.Max(1, Math.Abs(b0A[k])), $"intercept[{k}]: {b0A[k]} vs {b0B[k]}");
            }
        }

        var (ta, tb) = (Traffic(simd), Traffic(ilgpu));
        Assert.Equal(0, ta["to_device_bytes"] + ta["from_device_bytes"] + ta["kernel_launches"]);
        Assert.True(ta["x_bytes_read"] > 0);
        Assert.True(tb["kernel_launches"] > 0 && tb["to_device_bytes"] > 0 && tb["from_device_bytes"] > 0);
        // The GPU backend makes every KKT pass a full one (reading X on the device is cheaper than bringing the bounds that
        // let the host skip columns across the bus); the SIMD backend skips the columns its bounds certify.
        Assert.True(tb["x_bytes_read"] >= ta["x_bytes_read"], $"ILGPU read {tb["x_bytes_read"]} B of X, SIMD {ta["x_bytes_read"]} B");
    }

    private JsonElement Cv(string data, string device)
    {
        string json = Path.Combine(_dir, device + ".json");
        var result = Cli.Run("cv", "--data", data, "--target", "y", "--l1-ratio", "1,0.5", "--folds", "3", "--nlambda", "10",
            "--tol", "1e-15", "--device", device, "--out", Path.Combine(_dir, device + ".gnet"), "--json", json, "--quiet");
        Assert.True(result.Code == 0, $"cv --device {device} exited {result.Code}: {result.Error}");
        return JsonDocument.Parse(File.ReadAllText(json)).RootElement.Clone();
    }

    private static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static Dictionary<string, long> Traffic(JsonElement root) =>
        root.GetProperty("timing").GetProperty("device_traffic").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
}
