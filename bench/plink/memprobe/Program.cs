// memprobe BED fit|cv [NLAMBDA] [THREADS]: loads a PLINK .bed as gpuenet does and fits (or cross-validates, 10 folds),
// printing at each stage the live managed heap after a forced full collection, the bytes allocated so far, and the
// process's RSS split (anonymous / file-backed) from /proc/self/status.
using System.Diagnostics;
using GpuEnet.Host.Data;
using GpuEnet.Kernels.Cpu;
using GpuEnet.Solver;
using GpuEnet.Solver.Path;

string bed = args[0];
bool cv = args.Length > 1 && args[1] == "cv";
int nlambda = args.Length > 2 ? int.Parse(args[2]) : 100;
int threads = args.Length > 3 ? int.Parse(args[3]) : Environment.ProcessorCount;
var clock = Stopwatch.StartNew();
long peakLive = 0;
string peakAt = "";

Report("start");
var data = DataLoader.Load(new DataRequest(bed) { Target = "pheno" });
Report("loaded");
var settings = new EnetSettings { L1Ratios = [1], NLambda = nlambda };
using var backend = new CpuBackend(threads);
var training = new TrainingData { X = data.X, Y = data.Y, Features = data.Features };
var progress = new Probe(Report);
var fitter = new EnetFitter(backend, settings, progress);
var model = cv ? fitter.CrossValidate(training, new CvOptions { Folds = 10 }) : fitter.Fit(training);
Report("solved");
Console.WriteLine($"peak live managed heap {peakLive / 1048576.0:F0} MiB at '{peakAt}'; {model.Paths[0].Count} λ");

void Report(string stage)
{
    long live = GC.GetTotalMemory(forceFullCollection: true);
    if (live > peakLive)
    {
        peakLive = live;
        peakAt = stage;
    }

    string status = File.ReadAllText("/proc/self/status");
    string Field(string name) => status.Split('\n').FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
    Console.WriteLine($"{clock.Elapsed.TotalSeconds,7:F1} s  {stage,-28} live {live / 1048576.0,7:F0} MiB  allocated {GC.GetTotalAllocatedBytes() / 1048576.0,8:F0} MiB  " +
        $"RssAnon {Field("RssAnon")}  RssFile {Field("RssFile")}  VmHWM {Field("VmHWM")}");
}

sealed class Probe(Action<string> report) : IProgress<PathProgress>
{
    public void Report(PathProgress value) => report($"{value.Done}/{value.Total} ({value.Passes} passes)");
}
