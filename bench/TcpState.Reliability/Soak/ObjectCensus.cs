using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace TcpState.Reliability.Soak;

/// <summary>
/// Counts the objects reachable from the daemon's services, by type (and array elements), by
/// walking their fields with reflection: a poor man's heap dump, for when the managed heap grows
/// and the question is what holds the memory. Comparing two censuses names the types that grew.
/// </summary>
internal static class ObjectCensus
{
    private const int MaxObjects = 3_000_000;

    private static readonly ConcurrentDictionary<Type, FieldInfo[]> Fields = new();
    private static readonly ConcurrentDictionary<Type, bool> HoldsReferences = new();

    /// <summary>Instances and array elements per type name, of everything reachable from <paramref name="roots"/>.</summary>
    public static Dictionary<string, (long Instances, long Elements)> Take(IEnumerable<object> roots) =>
        Take(roots.Select(r => (r, "root")));

    /// <summary>The same, with each root named (what a type first reached from it is listed "@").</summary>
    public static Dictionary<string, (long Instances, long Elements)> Take(IEnumerable<(object Root, string Name)> roots)
    {
        var census = new Dictionary<string, (long Instances, long Elements)>(StringComparer.Ordinal);
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object Item, string Via)>(roots);
        while (pending.Count > 0 && seen.Count < MaxObjects)
        {
            var (item, via) = pending.Pop();
            var type = item.GetType();
            if (!seen.Add(item) || Skipped(type))
            {
                continue;
            }

            var elements = 0L;
            if (item is Array array)
            {
                elements = array.Length;
                var elementType = type.GetElementType()!;
                if (ContainsReferences(elementType))
                {
                    foreach (var element in array)
                    {
                        Push(pending, element, elementType.IsValueType, via.StartsWith("[] of ", StringComparison.Ordinal) ? via : "[] of " + via);
                    }
                }
            }
            else
            {
                Walk(pending, item, type);
            }

            // By type, and by type and the field it was first reached through (what holds it).
            foreach (var name in (string[])[type.ToString(), type + " @ " + via])
            {
                var (instances, total) = census.GetValueOrDefault(name);
                census[name] = (instances + 1, total + elements);
            }
        }

        return census;
    }

    /// <summary>
    /// The types whose instances or array elements grew most from <paramref name="before"/> to
    /// <paramref name="after"/>, each also by the field that holds them (written "type @ field").
    /// </summary>
    public static IEnumerable<string> Growth(Dictionary<string, (long Instances, long Elements)> before, Dictionary<string, (long Instances, long Elements)> after, int top) =>
        after.Select(a =>
            {
                var b = before.GetValueOrDefault(a.Key);
                return (Type: a.Key, Instances: a.Value.Instances - b.Instances, Elements: a.Value.Elements - b.Elements);
            })
            .Where(d => d.Instances != 0 || d.Elements != 0)
            .OrderByDescending(d => Math.Max(d.Instances, d.Elements / 8))
            .Take(top)
            .Select(d => $"{d.Type}: {d.Instances:+#;-#;0} instances, {d.Elements:+#;-#;0} array elements");

    /// <summary>
    /// The values of the static fields of every type loaded in the process, each named by its field:
    /// with the harness's own objects, roots for a census of (nearly) everything live, to find heap
    /// growth that the daemon's services do not reach. Statics of closed generic types (e.g.
    /// ArrayPool&lt;byte&gt;.Shared) cannot be enumerated and are missed; reading a field may run a
    /// static constructor, so this is for diagnosis only (soak --census-statics).
    /// </summary>
    public static IEnumerable<(object Root, string Name)> StaticRoots()
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            Type?[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = e.Types;
            }

            foreach (var type in types)
            {
                if (type is null || type.ContainsGenericParameters)
                {
                    continue;
                }

                foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.IsLiteral || field.FieldType.IsPointer || field.FieldType.IsByRefLike || !ContainsReferences(field.FieldType))
                    {
                        continue;
                    }

                    object? value;
                    try
                    {
                        value = field.GetValue(null);
                    }
                    catch (Exception e) when (e is TargetInvocationException or TypeInitializationException or NotSupportedException or FieldAccessException or InvalidOperationException or ArgumentException)
                    {
                        continue;
                    }

                    if (value is not null)
                    {
                        yield return (value, $"static {type.Name}.{field.Name}");
                    }
                }
            }
        }
    }

    private static void Walk(Stack<(object, string)> pending, object item, Type type)
    {
        foreach (var field in Fields.GetOrAdd(type, AllInstanceFields))
        {
            Push(pending, field.GetValue(item), field.FieldType.IsValueType, $"{field.DeclaringType?.Name}.{field.Name}");
        }
    }

    private static void Push(Stack<(object, string)> pending, object? value, bool isStruct, string via)
    {
        if (value is null)
        {
            return;
        }

        if (isStruct || value.GetType().IsValueType)
        {
            // A struct held inline (a field or an array slot) is no object of its own: walk into it.
            var type = value.GetType();
            if (ContainsReferences(type) && !type.IsPrimitive && !type.IsPointer)
            {
                Walk(pending, value, type);
            }

            return;
        }

        pending.Push((value, via));
    }

    // Reflection and runtime plumbing: huge, shared, and not what a sampler leaks.
    private static bool Skipped(Type type) =>
        typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type) || typeof(Module).IsAssignableFrom(type)
        || type == typeof(Thread) || type.IsPointer || type.IsCOMObject;

    private static bool ContainsReferences(Type type) => HoldsReferences.GetOrAdd(type, static t =>
        !t.IsPointer && !t.IsFunctionPointer && !t.IsByRefLike && !t.ContainsGenericParameters
        && (bool)typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!.MakeGenericMethod(t).Invoke(null, null)!);

    private static FieldInfo[] AllInstanceFields(Type type)
    {
        var fields = new List<FieldInfo>();
        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!field.FieldType.IsPointer && !field.FieldType.IsByRefLike && ContainsReferences(field.FieldType))
                {
                    fields.Add(field);
                }
            }
        }

        return [.. fields];
    }
}

/// <summary>
/// A census kept on disk between phases: one held in memory is part of the heap the soak measures,
/// and grows with what it counts (a census of the reference and one of the latest phase were most
/// of one run's phase-to-phase "growth", found with heap dumps, <c>soak --dump-dir</c>).
/// </summary>
internal static class CensusFile
{
    public static string Save(Dictionary<string, (long Instances, long Elements)> census, string path)
    {
        File.WriteAllLines(path, census.Select(c => FormattableString.Invariant($"{c.Value.Instances}\t{c.Value.Elements}\t{c.Key}")));
        return path;
    }

    public static Dictionary<string, (long Instances, long Elements)> Load(string path) =>
        File.ReadLines(path)
            .Select(line => line.Split('\t', 3))
            .ToDictionary(f => f[2], f => (long.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)), StringComparer.Ordinal);
}
