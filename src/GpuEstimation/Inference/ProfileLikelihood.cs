namespace GpuEstimation.Inference;

/// <summary>
/// Profile-likelihood interval ends (as MINOS finds them): the values of one parameter, on the optimizer's scale, where
/// the objective maximized over the others has dropped by half the χ²₁ quantile of the level.
/// </summary>
public static class ProfileLikelihood
{
    /// <param name="profile">u → (max over the other parameters of the objective with this one held at u, converged).</param>
    /// <param name="optimum">The parameter's value at the full optimum (optimizer scale).</param>
    /// <param name="maximum">The objective's maximum.</param>
    /// <param name="drop">Half the χ²₁ quantile: the drop that defines the interval.</param>
    /// <param name="step">First trial distance from the optimum (the Wald half-width, or a scale).</param>
    /// <param name="direction">−1 for the lower end, +1 for the upper.</param>
    public static ProfileBound FindEnd(Func<double, (double Value, bool Converged)> profile, double optimum, double maximum, double drop, double step, int direction)
    {
        // Bracket: a with deficit below the drop, b above, expanding outward.
        double a = optimum, fa = -drop;
        double b = optimum + direction * step;
        double fb = double.NaN;
        for (int expansion = 0; expansion < 40; expansion++)
        {
            var (value, converged) = profile(b);
            // A fit that fails far out (the doubling steps can overshoot into a useless range, e.g. ν = 10⁻¹¹) marks
            // b as beyond: the bisection below comes back towards a, where the fits converge.
            fb = double.IsFinite(value) && converged ? maximum - value - drop : double.PositiveInfinity;
            if (fb >= 0)
                break;
            a = b;
            fa = fb;
            b = optimum + direction * step * Math.Pow(2, expansion + 1);
        }
        if (!(fb >= 0))
            return new ProfileBound(null, "the profile does not drop far enough: the interval is open on this side");
        if (double.IsPositiveInfinity(fb))
        {
            // The objective is not finite at b (e.g. outside the support), or its fit failed there: bisect until both hold.
            for (int i = 0; i < 200 && double.IsPositiveInfinity(fb); i++)
            {
                double mid = 0.5 * (a + b);
                var (value, converged) = profile(mid);
                double fm = double.IsFinite(value) && converged ? maximum - value - drop : double.PositiveInfinity;
                if (fm >= 0)
                {
                    b = mid;
                    fb = fm;
                }
                else
                {
                    a = mid;
                    fa = fm;
                }
            }
            // Only the edge of where the fits converge was found, short of the drop (an identity link's profile fit,
            // warm-started, driving a mean to 0): no end, said so. It was reported as the end (a drop of 0.12, not 1.92).
            if (double.IsPositiveInfinity(fb))
                return new ProfileBound(null, $"the profile fits fail beyond {a:G6} (optimizer scale), where the profile has dropped by {fa + drop:G3} of the {drop:G3} needed: no end found on this side");
        }

        // Illinois regula falsi on deficit(u) − drop between a (< 0) and b (≥ 0).
        int side = 0;
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double c = (a * fb - b * fa) / (fb - fa);
            if (!double.IsFinite(c) || c <= Math.Min(a, b) || c >= Math.Max(a, b))
                c = 0.5 * (a + b);
            var (value, converged) = profile(c);
            if (!converged)
                return new ProfileBound(null, $"the profile fit did not converge at {c:G6} (optimizer scale)");
            double fc = maximum - value - drop;
            if (Math.Abs(fc) <= 1e-10 * drop || Math.Abs(b - a) <= 1e-13 * Math.Max(Math.Abs(c), Math.Abs(step)))
                return new ProfileBound(c, null);
            if (fc < 0)
            {
                a = c;
                fa = fc;
                if (side == -1)
                    fb *= 0.5;
                side = -1;
            }
            else
            {
                b = c;
                fb = fc;
                if (side == 1)
                    fa *= 0.5;
                side = 1;
            }
        }
        return new ProfileBound(null, "the profile root search did not converge");
    }
}
