namespace Recorder.Reporting.Templates;

/// <summary>
/// The certification forms a report ends with, one or more, printed in file name order, each
/// starting on a new page. Recorder's defaults are declarations under FRE 902(13) and 902(14)
/// (<c>policies/report-templates/</c>); a site replaces them with its own folder of templates.
/// </summary>
public sealed class CertificationTemplateSet
{
    private const string DefaultsPrefix = "Recorder.Reporting.Templates.Defaults.";

    /// <summary>Wraps already parsed templates; at least one.</summary>
    public CertificationTemplateSet(IReadOnlyList<CertificationTemplate> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        if (templates.Count == 0)
        {
            throw new ArgumentException("At least one certification template is needed.", nameof(templates));
        }

        Templates = templates.ToArray();
    }

    /// <summary>The templates in printing order.</summary>
    public IReadOnlyList<CertificationTemplate> Templates { get; }

    /// <summary>
    /// Loads every <c>*.txt</c> file of <paramref name="directory"/>, in ordinal file name order.
    /// Throws <see cref="ReportTemplateException"/> when the folder is missing or holds no template,
    /// or when any template is invalid.
    /// </summary>
    public static CertificationTemplateSet Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new ReportTemplateException(directory, 0, null, "the certification template folder does not exist");
        }

        var files = Directory.GetFiles(directory, "*.txt").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new ReportTemplateException(directory, 0, null, "the certification template folder holds no *.txt template");
        }

        return new CertificationTemplateSet(files.Select(CertificationTemplate.Load).ToArray());
    }

    /// <summary>
    /// Recorder's default templates (FRE 902(13) and 902(14) declarations under 28 U.S.C. § 1746),
    /// the files of <c>policies/report-templates/</c> built into this assembly.
    /// </summary>
    public static CertificationTemplateSet LoadDefaults()
    {
        var assembly = typeof(CertificationTemplateSet).Assembly;
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(DefaultsPrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (names.Length == 0)
        {
            throw new ReportTemplateException(DefaultsPrefix + "*", 0, null, "the built-in certification templates are missing from the assembly");
        }

        var templates = new List<CertificationTemplate>();
        foreach (var name in names)
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, new System.Text.UTF8Encoding(false, true));
            templates.Add(CertificationTemplate.Parse(reader.ReadToEnd(), name[DefaultsPrefix.Length..]));
        }

        return new CertificationTemplateSet(templates);
    }
}
