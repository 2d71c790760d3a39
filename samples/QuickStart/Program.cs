using GpuEnet;

// 200 samples × 2,000 features; y depends on the first two.
var rng = new Random(1);
var (x, y) = (new double[200, 2000], new double[200]);
for (int i = 0; i < 200; i++)
{
    for (int j = 0; j < 2000; j++)
    {
        x[i, j] = rng.NextDouble() - 0.5;
    }

    y[i] = (3 * x[i, 0]) - (2 * x[i, 1]) + (0.1 * (rng.NextDouble() - 0.5));
}

var path = new ElasticNet(new ElasticNetOptions { L1Ratios = [1.0] }).Fit(x, y);
Console.WriteLine($"lasso path: {path.Paths[0].Lambda.Length} λ values, {path.Coefficients.Count(b => b != 0)} features at the last");

var cv = new ElasticNetCV(new ElasticNetOptions { L1Ratios = [1, 0.5] }, new CrossValidationOptions { Folds = 5 });
var model = cv.Fit(x, y);
Console.WriteLine($"cross-validated: λ = {model.Lambda:G4}, l1_ratio = {model.L1Ratio}, b1 = {model.Coefficients[0]:F3}, b2 = {model.Coefficients[1]:F3}");

model.Save("quickstart.gnet");
var loaded = ElasticNetModel.Load("quickstart.gnet");
Console.WriteLine($"row 1: predicted {loaded.Predict(x)[0]:F3}, observed {y[0]:F3}");
return Math.Abs(model.Coefficients[0] - 3) < 0.3 ? 0 : 1;
