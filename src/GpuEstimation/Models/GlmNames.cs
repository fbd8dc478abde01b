using GpuEstimation.Kernels.Models;

namespace GpuEstimation.Models;

/// <summary>
/// The names of the generalized linear models, families, links and family parameters, and the default link of each
/// family (R's <c>glm</c>: binomial logit, poisson log, gamma inverse, gaussian identity; MASS <c>glm.nb</c>: log).
/// </summary>
public static class GlmNames
{
    /// <summary>The general model: <see cref="ModelColumns.Family"/> and <see cref="ModelColumns.Link"/> say which.</summary>
    public const string Glm = "glm";

    /// <summary>Logistic regression: glm, binomial family, logit link.</summary>
    public const string Logit = "logit";

    /// <summary>Probit regression: glm, binomial family, probit link.</summary>
    public const string Probit = "probit";

    /// <summary>The model names that are generalized linear models.</summary>
    public static IReadOnlyList<string> Models { get; } = [Glm, Logit, Probit];

    /// <summary>The family names, in <see cref="GlmFamily"/> order.</summary>
    public static IReadOnlyList<string> Families { get; } = ["binomial", "poisson", "negbinomial", "gamma", "normal"];

    /// <summary>The link names, in <see cref="GlmLink"/> order.</summary>
    public static IReadOnlyList<string> Links { get; } = ["logit", "probit", "cloglog", "log", "identity", "inverse"];

    /// <summary>Whether <paramref name="model"/> names a generalized linear model.</summary>
    public static bool IsGlm(string model) => Models.Contains(model);

    /// <summary>The family called <paramref name="name"/>; an unknown name is an error listing the known ones.</summary>
    public static GlmFamily Family(string name)
    {
        int index = Families.ToList().IndexOf(name);
        return index >= 0 ? (GlmFamily)index : throw new InputException($"unknown family '{name}' (available: {string.Join(", ", Families)})", "family");
    }

    /// <summary>The link called <paramref name="name"/>; an unknown name is an error listing the known ones.</summary>
    public static GlmLink Link(string name)
    {
        int index = Links.ToList().IndexOf(name);
        return index >= 0 ? (GlmLink)index : throw new InputException($"unknown link '{name}' (available: {string.Join(", ", Links)})", "link");
    }

    /// <summary>The name of <paramref name="family"/>.</summary>
    public static string Name(GlmFamily family) => Families[(int)family];

    /// <summary>The name of <paramref name="link"/>.</summary>
    public static string Name(GlmLink link) => Links[(int)link];

    /// <summary>The default link of <paramref name="family"/>, as R's <c>glm</c> (and <c>glm.nb</c>).</summary>
    public static GlmLink DefaultLink(GlmFamily family) => family switch
    {
        GlmFamily.Binomial => GlmLink.Logit,
        GlmFamily.Gamma => GlmLink.Inverse,
        GlmFamily.Normal => GlmLink.Identity,
        _ => GlmLink.Log,
    };

    /// <summary>The links that fit <paramref name="family"/>, by name.</summary>
    public static IReadOnlyList<string> LinksOf(GlmFamily family) =>
        Enum.GetValues<GlmLink>().Where(l => GlmModel.Supports(family, l)).Select(Name).ToArray();

    /// <summary>The name of the family's own parameter after the coefficients (alpha, shape, sigma), or null.</summary>
    public static string? ExtraParameter(GlmFamily family) => family switch
    {
        GlmFamily.NegativeBinomial => "alpha",
        GlmFamily.Gamma => "shape",
        GlmFamily.Normal => "sigma",
        _ => null,
    };

    /// <summary>The values y may take under <paramref name="family"/>, in words.</summary>
    public static string Support(GlmFamily family, bool trials) => family switch
    {
        GlmFamily.Binomial => trials ? "whole numbers from 0 to the row's trials" : "0 or 1",
        GlmFamily.Poisson => "non-negative numbers (integers: counts; others: the quasi-likelihood)",
        GlmFamily.NegativeBinomial => "non-negative integers",
        GlmFamily.Gamma => "positive numbers",
        _ => "any number",
    };
}
