using System.CommandLine;
using System.Globalization;
using GpuEstimation.Cli.Options;
using GpuEstimation.Cli.Output;
using GpuEstimation.Cli.Parsing;
using GpuEstimation.Data;
using GpuEstimation.Kernels.Models;
using GpuEstimation.Models;
using GpuEstimation.Results;

namespace GpuEstimation.Cli.Commands;

/// <summary>
/// <c>gpuest predict</c>: a regression fit's linear predictor, mean and their standard errors for new rows, from the
/// fit's JSON (<c>gpuest fit --json</c>), which keeps the design and the coefficients' covariance.
/// </summary>
internal sealed class PredictCommand : Command
{
    private readonly Option<string?> _model = CliOption.Text("--model-json", "FILE",
        "a regression's fit as gpuest fit --json wrote it (--model linear, glm, logit, probit or nonlinear)", required: true);

    private readonly Option<string?> _data = CliOption.Text("--data", "FILE",
        "the new rows: a CSV, Parquet, Arrow or .npy file with the design's columns (a nonlinear mean's), and the offset column where the fit had one; the response is not read", required: true);

    private readonly Option<bool> _dropMissing = SharedOptions.DropMissingInPredictions();

    private readonly Option<string?> _out = CliOption.Text("--out", "FILE",
        "where to write the predictions, CSV: eta,mean,seEta,seMean,meanLower,meanUpper (then obsLower,obsUpper for a normal response, offset where the fit had one), one line per row", required: true);

    private readonly Option<double> _level = CliOption.Single("--level", "L", "confidence level of the means' intervals (meanLower, meanUpper) and, for a normal response, the new observations' (obsLower, obsUpper)",
        NumberText.Fraction, () => 0.95);

    private readonly Option<string> _se = SharedOptions.StandardErrors(
        "(linear, nonlinear) the standard errors and intervals: the MLE's (the fit's covariance, z), or least squares' as R's predict.lm and statsmodels OLS's get_prediction give them (s^2 (X'X)^-1 or s^2 (J'J)^-1, s^2 = RSS/(n - p), t on n - p degrees of freedom) [default: the fit's: nist where it was fitted with --se nist, else mle]", mleByDefault: false);

    public PredictCommand() : base("predict", "Predict new rows with a fitted regression: the linear predictor, the mean and their standard errors (delta method).")
    {
        Add(_model);
        Add(_data);
        Add(_dropMissing);
        Add(_out);
        Add(_level);
        Add(_se);
        SetAction(Run);
    }

    private int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        string modelPath = parse.GetValue(_model)!, dataPath = parse.GetValue(_data)!, outPath = parse.GetValue(_out)!;
        OutputFile.Check("--out", outPath, dataPath);
        OutputFile.CheckDistinct(("--model-json", modelPath), ("--out", outPath));
        var fitted = FittedRegression.FromJson(ReadModel(modelPath), modelPath);
        var (numeric, factors) = fitted.InputColumns();
        var data = numeric.Count == 0 && factors.Count == 0 ? RowsOnly(dataPath) : DataFile.Read(dataPath, numeric, factors, SharedOptions.Missing(parse, _dropMissing), fitted.TextFactors);
        // --se as given, else as the fit's table gave them (its JSON says where that was least squares').
        bool ordinary = parse.GetValue(_se) is { } se ? se == "nist" : fitted.LeastSquaresChosen;
        if (ordinary && fitted.Model is not ("linear" or "nonlinear"))
            throw new InputException($"--se nist: least squares' standard errors are those of --model linear and nonlinear fits, not of {fitted.Model}");
        var prediction = fitted.Predict(data, parse.GetValue(_level), ordinary);
        OutputFile.Write("--out", outPath, path => Write(path, prediction, data.Dropped));
        output.WriteLine($"{data.Rows:N0} predictions of {fitted.Model} ({fitted.Formula}) written to {outPath}: " +
            $"{string.Join(", ", Columns(prediction))} ({prediction.Level.ToString("0.##########", CultureInfo.InvariantCulture)} intervals, {(ordinary ? "least squares' errors and t" : fitted.Posterior ? "the posterior's Laplace-approximation SDs and z" : fitted.CovarianceType != "nonrobust" ? $"the {fitted.CovarianceType} covariance's errors and z" : "the MLE's errors and z")})" +
            (data.DroppedRows > 0 ? $"; a row of empty cells for {(data.DroppedRows == 1 ? "the one" : $"each of the {data.DroppedRows:N0}")} left out, so that line k + 1 is the input's data row k" : ""));
        DroppedRows.Write(output, parse.GetValue(_dropMissing) ? data.DroppedRows : null, data.Rows);
        if (fitted.MeanFunction is not null && prediction.OutsideRange(fitted.Family) is { Count: > 0 } notFinite)
            output.WriteLine($"note: the mean is not finite at {notFinite.Count:N0} row{(notFinite.Count == 1 ? "" : "s")} (first: {data.DescribeRow(notFinite[0])}, mean {prediction.Mean[notFinite[0]]:G6}): " +
                "the mean function is not defined there (a log or power of a value outside its domain, say)");
        else if (prediction.OutsideRange(fitted.Family) is { Count: > 0 } outside)
            output.WriteLine($"note: {outside.Count:N0} predicted mean{(outside.Count == 1 ? "" : "s")} outside the {fitted.Family} family's range " +
                $"(first: {data.DescribeRow(outside[0])}, mean {prediction.Mean[outside[0]]:G6}): {OutsideWhy(fitted, prediction.Eta[outside[0]], prediction.Mean[outside[0]])}");
        if (fitted.UndefinedCoefficients.Count > 0)
            output.WriteLine($"note: {string.Join(", ", fitted.UndefinedCoefficients)} had no robust standard error in the fit (a row of leverage 1 alone fits it), " +
                "so seEta and seMean are NaN in the rows that use it");
        if (!fitted.HasCovariance)
            output.WriteLine("note: the fit has no covariance of its estimates (its Hessian allowed none); seEta and seMean are NaN");
        else if (fitted.HeldCoefficients.Count > 0)
            output.WriteLine($"note: {string.Join(", ", fitted.HeldCoefficients)} had no standard deviation in the fit (at a prior's kink: a lasso's exact 0); " +
                "held at their estimates here, as they were for the others' standard deviations, so seEta and seMean are conditional on them");
        // A finite mean whose standard error is not (a nonlinear mean's gradient overflowing far from the data: a trial's
        // a·exp(−b·x) at x = −1000, mean 1.15e307, NaN errors without a word), where no note above has said why.
        if (fitted.HasCovariance && fitted.UndefinedCoefficients.Count == 0)
        {
            var undefined = Enumerable.Range(0, data.Rows).Where(i => double.IsFinite(prediction.Mean[i]) && !double.IsFinite(prediction.SeMean[i])).ToList();
            if (undefined.Count > 0)
                output.WriteLine($"note: seMean is not finite at {undefined.Count:N0} row{(undefined.Count == 1 ? "" : "s")} where the mean is " +
                    $"(first: {data.DescribeRow(undefined[0])}, mean {prediction.Mean[undefined[0]]:G6}): the mean's derivatives in the coefficients, or their " +
                    "product with the covariance, are beyond the doubles there, so its interval is not finite either; such a row is far outside the fitted data");
        }
        return GpuestApp.Ok;
    }

    /// <summary>
    /// For an intercept-only fit, which reads no column but predicts one row per row (it gave 0 predictions): as many
    /// rows as the file has, counted by its first column read as a factor's levels, its missing cells counted too.
    /// </summary>
    private static Dataset RowsOnly(string path)
    {
        var counted = DataFile.Read(path, [], [DataFile.ColumnNames(path)[0]], MissingValues.Drop);
        return Dataset.FromColumns(("rows", new double[counted.Rows + counted.DroppedRows]));
    }

    // Why the link's inverse leaves a mean outside the family's range at η (a trial: a Poisson mean that overflowed was
    // explained as an inverse or identity link's).
    private static string OutsideWhy(FittedRegression fitted, double eta, double mean) => fitted.Link switch
    {
        GlmLink.Log when double.IsInfinity(mean) => $"the log link's mean exp(η) overflows the doubles at η = {eta:G6}, a row far from the fitted data",
        GlmLink.Log when mean == 0 => $"the log link's mean exp(η) underflows to 0 at η = {eta:G6}, a row far from the fitted data",
        GlmLink.Log => $"the log link's mean exp(η) passes 1 where η > 0 (η = {eta:G6}), a row far from the fitted data",
        _ => $"g⁻¹(η) of the {GlmNames.Name(fitted.Link)} link leaves it there at η = {eta:G6}, a row far from the fitted data",
    };

    private static string ReadModel(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"--model-json {path}: file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"--model-json {path}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    // Shortest round-trip numbers, so a reader gets the very doubles. A row left out for a missing value keeps its place
    // as a row of empty cells (R's na.exclude), so that the output lines up with the input row by row.
    private static void Write(string path, Prediction prediction, IReadOnlyList<int> dropped)
    {
        using var writer = new StreamWriter(path);
        var columns = Columns(prediction);
        writer.WriteLine(string.Join(",", columns));
        var empty = new string(',', columns.Count - 1);
        bool observations = prediction.ObsLower.Length > 0;
        int next = 0;
        for (int i = 0; i < prediction.Eta.Length; i++)
        {
            for (; next < dropped.Count && dropped[next] == i + next; next++)
                writer.WriteLine(empty);
            writer.Write($"{R(prediction.Eta[i])},{R(prediction.Mean[i])},{R(prediction.SeEta[i])},{R(prediction.SeMean[i])},{R(prediction.MeanLower[i])},{R(prediction.MeanUpper[i])}");
            if (observations)
                writer.Write($",{R(prediction.ObsLower[i])},{R(prediction.ObsUpper[i])}");
            writer.WriteLine(prediction.Offset is { } offset ? $",{R(offset[i])}" : "");
        }
        for (; next < dropped.Count; next++)
            writer.WriteLine(empty);
    }

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // The output's columns: the observations' interval for a normal response, the offset where the fit had one.
    private static List<string> Columns(Prediction prediction) =>
    [
        "eta", "mean", "seEta", "seMean", "meanLower", "meanUpper",
        .. prediction.ObsLower.Length > 0 ? (string[])["obsLower", "obsUpper"] : [],
        .. prediction.Offset is null ? Array.Empty<string>() : ["offset"],
    ];
}
