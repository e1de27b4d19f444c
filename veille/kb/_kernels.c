/* The inner loops of a knowledge-base search's candidate step (veille/kb/search.py), in C.
 *
 * Finding a name's candidates merges a dozen short posting lists, keeps the best 200 rows by
 * their summed key weights, and credits common keys to the heaviest rows by binary searches in
 * long lists. NumPy does each of those at C speed, but a name needs about forty NumPy calls on
 * arrays of a few hundred numbers, and each call costs more than its work: these functions do
 * the same work in one call each. Written by hand because no library offers them: they are the
 * search's own steps, not general array operations.
 *
 * Each function gives exactly what the NumPy code beside it in search.py gives (the reference:
 * it runs when this module is not built, or with VEILLE_PURE_PYTHON=1), to the bit: sums are
 * taken in NumPy's order, ties broken as NumPy's stable sorts break them. tests/test_kernels.py
 * checks each against its reference on random inputs.
 *
 * Arrays come in through the buffer protocol (int32 entity numbers, float64 weights, C order);
 * new arrays go out as bytearrays, which search.py views with numpy.frombuffer. No NumPy header
 * is needed to build this.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* A buffer of C-contiguous items of one size (4: int32, 8: float64). */
static int
get_array(PyObject *obj, Py_buffer *view, Py_ssize_t itemsize, char kind, int writable, const char *what)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    const char *format = view->format && *view->format ? view->format : "B"; /* (NULL: bytes) */
    char last = format[strlen(format) - 1];
    int ok = view->itemsize == itemsize && (kind == 'i' ? (last == 'i' || last == 'l') : last == kind);
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "%s: expected %s items, got format '%s'", what,
                     kind == 'd' ? "float64" : kind == 'i' ? "int32" : "bool", format);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* What a function reads: an object's buffer, of items of a size and kind ('i': int32,
 * 'd': float64, '?': bool). */
typedef struct {
    PyObject *obj;
    Py_ssize_t itemsize;
    char kind;
    int writable;
    const char *what;
} Want;

/* The buffers of `n` wants into `views`; on failure (an exception set) none is held. */
static int
get_arrays(const Want *wants, Py_buffer *views, int n)
{
    for (int i = 0; i < n; i++) {
        if (get_array(wants[i].obj, &views[i], wants[i].itemsize, wants[i].kind, wants[i].writable,
                      wants[i].what) < 0) {
            while (i-- > 0)
                PyBuffer_Release(&views[i]);
            return -1;
        }
    }
    return 0;
}

static void
release_arrays(Py_buffer *views, int n)
{
    for (int i = 0; i < n; i++)
        PyBuffer_Release(&views[i]);
}

/* The row sums of the first `columns` columns of a (rows x width) matrix, summed from left to
 * right: what NumPy's sum along rows gives for fewer than 8 columns (it sums 8 or more
 * pairwise; callers do those with NumPy). */
static void
row_sums_into(const double *weights, Py_ssize_t rows, Py_ssize_t width, Py_ssize_t columns, double *out)
{
    for (Py_ssize_t i = 0; i < rows; i++) {
        const double *row = weights + i * width;
        double total = columns ? row[0] : 0.0;
        for (Py_ssize_t j = 1; j < columns; j++)
            total += row[j];
        out[i] = total;
    }
}

/* The value of rank `k` (0: the largest) among `n` doubles, by quickselect on a scratch copy. */
static double
nth_largest(const double *values, Py_ssize_t n, Py_ssize_t k, double *scratch)
{
    memcpy(scratch, values, (size_t)n * sizeof(double));
    Py_ssize_t lo = 0, hi = n - 1;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        /* median of three as the pivot */
        double a = scratch[lo], b = scratch[mid], c = scratch[hi];
        double pivot = (a > b) ? ((b > c) ? b : (a > c ? c : a)) : ((a > c) ? a : (b > c ? c : b));
        Py_ssize_t i = lo, j = hi;
        while (i <= j) {
            while (scratch[i] > pivot) i++;
            while (scratch[j] < pivot) j--;
            if (i <= j) {
                double t = scratch[i];
                scratch[i] = scratch[j];
                scratch[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return scratch[k];
    }
    return scratch[k];
}

/* Which of rows [lo, hi) are among the first `keep` when ranked by `totals` (largest first,
 * ties by row): flags[row - lo] set to 1. */
static void
flag_top(const double *totals, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t keep, char *flags, double *scratch)
{
    Py_ssize_t n = hi - lo;
    if (keep >= n) {
        memset(flags, 1, (size_t)n);
        return;
    }
    memset(flags, 0, (size_t)n);
    if (keep <= 0)
        return;
    double last = nth_largest(totals + lo, n, keep - 1, scratch);
    Py_ssize_t above = 0;
    for (Py_ssize_t i = lo; i < hi; i++)
        above += totals[i] > last;
    Py_ssize_t ties = keep - above;
    for (Py_ssize_t i = lo; i < hi; i++) {
        if (totals[i] > last || (totals[i] == last && ties-- > 0))
            flags[i - lo] = 1;
    }
}

/* -- gather ---------------------------------------------------------------------------- */

typedef struct {
    Py_ssize_t start, n, group, at;
    double weight;
} Span;

static void
sift_down(Py_ssize_t *heap, Py_ssize_t size, Py_ssize_t i, const Span *spans, const int32_t *postings)
{
    for (;;) {
        Py_ssize_t l = 2 * i + 1, r = l + 1, least = i;
        if (l < size && postings[spans[heap[l]].start + spans[heap[l]].at] <
                            postings[spans[heap[least]].start + spans[heap[least]].at])
            least = l;
        if (r < size && postings[spans[heap[r]].start + spans[heap[r]].at] <
                            postings[spans[heap[least]].start + spans[heap[least]].at])
            least = r;
        if (least == i)
            return;
        Py_ssize_t t = heap[i];
        heap[i] = heap[least];
        heap[least] = t;
        i = least;
    }
}

PyDoc_STRVAR(gather_doc,
"gather(postings, spans, width, cap) -> (entities, weights)\n\n"
"The entities of the posting lists ``spans`` ((start, n, group, weight) each: a slice of the\n"
"int32 array ``postings``, ascending), ascending and each once (int32, a bytearray), and for\n"
"each the best weight of each group it has a list of (float64, rows x ``width``, 0 where none).\n"
"When more than ``cap`` > 0 entities are found (and ``width`` < 8), only the ``cap`` of the\n"
"largest summed weights are kept, ties by entity, in entity order.");

static PyObject *
gather(PyObject *self, PyObject *args)
{
    PyObject *postings_obj, *spans_obj;
    Py_ssize_t width, cap;
    if (!PyArg_ParseTuple(args, "OO!nn", &postings_obj, &PyList_Type, &spans_obj, &width, &cap))
        return NULL;
    if (width < 1) {
        PyErr_SetString(PyExc_ValueError, "gather: width must be at least 1");
        return NULL;
    }
    Py_buffer pb;
    if (get_array(postings_obj, &pb, 4, 'i', 0, "gather: postings") < 0)
        return NULL;
    const int32_t *postings = (const int32_t *)pb.buf;
    Py_ssize_t size = pb.len / 4, k = PyList_GET_SIZE(spans_obj), total = 0;
    PyObject *result = NULL;
    Span *spans = PyMem_Malloc((size_t)(k ? k : 1) * sizeof(Span));
    Py_ssize_t *heap = PyMem_Malloc((size_t)(k ? k : 1) * sizeof(Py_ssize_t));
    int32_t *entities = NULL;
    double *weights = NULL, *sums = NULL, *scratch = NULL;
    char *flags = NULL;
    if (!spans || !heap) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < k; i++) {
        PyObject *item = PyList_GET_ITEM(spans_obj, i);
        Span *s = &spans[i];
        if (!PyArg_ParseTuple(item, "nnnd;gather: a span is (start, n, group, weight)", &s->start, &s->n,
                              &s->group, &s->weight))
            goto done;
        if (s->start < 0 || s->n < 0 || s->start + s->n > size || s->group < 0 || s->group >= width) {
            PyErr_Format(PyExc_ValueError, "gather: span %zd out of range", i);
            goto done;
        }
        s->at = 0;
        total += s->n;
    }
    entities = PyMem_Malloc((size_t)(total ? total : 1) * sizeof(int32_t));
    weights = PyMem_Calloc((size_t)(total ? total : 1) * (size_t)width, sizeof(double));
    if (!entities || !weights) {
        PyErr_NoMemory();
        goto done;
    }
    /* a k-way merge of the sorted lists, by a heap of the lists by their next entity */
    Py_ssize_t heaped = 0, rows = 0;
    for (Py_ssize_t i = 0; i < k; i++) {
        if (spans[i].n)
            heap[heaped++] = i;
    }
    for (Py_ssize_t i = heaped / 2 - 1; i >= 0; i--)
        sift_down(heap, heaped, i, spans, postings);
    while (heaped) {
        Span *s = &spans[heap[0]];
        int32_t entity = postings[s->start + s->at];
        if (!rows || entities[rows - 1] != entity)
            entities[rows++] = entity;
        double *cell = &weights[(rows - 1) * width + s->group];
        if (s->weight > *cell)
            *cell = s->weight;
        if (++s->at == s->n)
            heap[0] = heap[--heaped];
        sift_down(heap, heaped, 0, spans, postings);
    }
    if (cap > 0 && rows > cap && width < 8) {
        sums = PyMem_Malloc((size_t)rows * sizeof(double));
        scratch = PyMem_Malloc((size_t)rows * sizeof(double));
        flags = PyMem_Malloc((size_t)rows);
        if (!sums || !scratch || !flags) {
            PyErr_NoMemory();
            goto done;
        }
        row_sums_into(weights, rows, width, width, sums);
        flag_top(sums, 0, rows, cap, flags, scratch);
        Py_ssize_t kept = 0;
        for (Py_ssize_t i = 0; i < rows; i++) {
            if (!flags[i])
                continue;
            entities[kept] = entities[i];
            if (kept != i)
                memcpy(&weights[kept * width], &weights[i * width], (size_t)width * sizeof(double));
            kept++;
        }
        rows = kept;
    }
    PyObject *ents = PyByteArray_FromStringAndSize((const char *)entities, rows * 4);
    PyObject *ws = ents ? PyByteArray_FromStringAndSize((const char *)weights, rows * width * 8) : NULL;
    if (ents && ws)
        result = PyTuple_Pack(2, ents, ws);
    Py_XDECREF(ents);
    Py_XDECREF(ws);
done:
    PyMem_Free(spans);
    PyMem_Free(heap);
    PyMem_Free(entities);
    PyMem_Free(weights);
    PyMem_Free(sums);
    PyMem_Free(scratch);
    PyMem_Free(flags);
    PyBuffer_Release(&pb);
    return result;
}

/* -- row sums ---------------------------------------------------------------------------- */

PyDoc_STRVAR(row_sums_doc,
"row_sums(weights, width, columns) -> bytearray\n\n"
"The sums of the first ``columns`` (< 8) columns of each row of ``weights`` (float64, rows x\n"
"``width``), from left to right: NumPy's ``weights[:, :columns].sum(axis=1)``, to the bit.");

static PyObject *
row_sums(PyObject *self, PyObject *args)
{
    PyObject *weights_obj;
    Py_ssize_t width, columns;
    if (!PyArg_ParseTuple(args, "Onn", &weights_obj, &width, &columns))
        return NULL;
    if (width < 1 || columns < 0 || columns > width || columns >= 8) {
        PyErr_SetString(PyExc_ValueError, "row_sums: 0 <= columns <= width, columns < 8");
        return NULL;
    }
    Py_buffer wb;
    if (get_array(weights_obj, &wb, 8, 'd', 0, "row_sums: weights") < 0)
        return NULL;
    Py_ssize_t rows = wb.len / 8 / width;
    if (rows * width * 8 != wb.len) {
        PyErr_SetString(PyExc_ValueError, "row_sums: weights are not rows of `width` numbers");
        PyBuffer_Release(&wb);
        return NULL;
    }
    PyObject *out = PyByteArray_FromStringAndSize(NULL, rows * 8);
    if (out)
        row_sums_into((const double *)wb.buf, rows, width, columns, (double *)PyByteArray_AS_STRING(out));
    PyBuffer_Release(&wb);
    return out;
}

/* -- heaviest rows ----------------------------------------------------------------------- */

PyDoc_STRVAR(heaviest_doc,
"heaviest(totals, split, candidates, credited) -> bytearray\n\n"
"Of the rows [0, split), and of the rows [split, len(totals)), ranked by ``totals`` (float64;\n"
"largest first, ties by row): those among the first ``candidates`` whose total is at least that\n"
"of the ``credited``-th (int32 row numbers, ascending in each part).");

static PyObject *
heaviest(PyObject *self, PyObject *args)
{
    PyObject *totals_obj;
    Py_ssize_t split, candidates, credited;
    if (!PyArg_ParseTuple(args, "Onnn", &totals_obj, &split, &candidates, &credited))
        return NULL;
    Py_buffer tb;
    if (get_array(totals_obj, &tb, 8, 'd', 0, "heaviest: totals") < 0)
        return NULL;
    const double *totals = (const double *)tb.buf;
    Py_ssize_t n = tb.len / 8, found = 0;
    PyObject *out = NULL;
    if (split < 0 || split > n || candidates < 1 || credited < 1) {
        PyErr_SetString(PyExc_ValueError, "heaviest: 0 <= split <= len(totals); candidates, credited >= 1");
        goto done_buffer;
    }
    char *flags = PyMem_Malloc((size_t)(n ? n : 1));
    double *scratch = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
    int32_t *rows = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(int32_t));
    if (!flags || !scratch || !rows) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t parts[3] = {0, split, n};
    for (int p = 0; p < 2; p++) {
        Py_ssize_t lo = parts[p], hi = parts[p + 1], m = hi - lo;
        if (!m)
            continue;
        Py_ssize_t keep = candidates < m ? candidates : m;
        double cut = nth_largest(totals + lo, m, (credited < keep ? credited : keep) - 1, scratch);
        flag_top(totals, lo, hi, keep, flags, scratch);
        for (Py_ssize_t i = lo; i < hi; i++) {
            if (flags[i - lo] && totals[i] >= cut)
                rows[found++] = (int32_t)i;
        }
    }
    out = PyByteArray_FromStringAndSize((const char *)rows, found * 4);
done:
    PyMem_Free(flags);
    PyMem_Free(scratch);
    PyMem_Free(rows);
done_buffer:
    PyBuffer_Release(&tb);
    return out;
}

/* -- credit ------------------------------------------------------------------------------ */

/* Whether `value` is in the ascending `list` of `n`. */
static int
has(const int32_t *list, Py_ssize_t n, int32_t value)
{
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (list[mid] < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && list[lo] == value;
}

PyDoc_STRVAR(credit_doc,
"credit(postings, start, n, entities, rows, weights, credits) -> None\n\n"
"For each of ``rows`` (int32) whose entity (``entities``, int32) is in the posting list\n"
"``postings[start:start + n]`` (ascending), raise its weight of each group to the weight\n"
"``credits`` gives it ((group, weight) each), in ``weights`` (float64, rows x width, changed in place).");

static PyObject *
credit(PyObject *self, PyObject *args)
{
    PyObject *postings_obj, *entities_obj, *rows_obj, *weights_obj, *credits_obj;
    Py_ssize_t start, n;
    if (!PyArg_ParseTuple(args, "OnnOOOO!", &postings_obj, &start, &n, &entities_obj, &rows_obj, &weights_obj,
                          &PyList_Type, &credits_obj))
        return NULL;
    Want wants[4] = {{postings_obj, 4, 'i', 0, "credit: postings"}, {entities_obj, 4, 'i', 0, "credit: entities"},
                     {rows_obj, 4, 'i', 0, "credit: rows"}, {weights_obj, 8, 'd', 1, "credit: weights"}};
    Py_buffer views[4];
    if (get_arrays(wants, views, 4) < 0)
        return NULL;
    Py_buffer pb = views[0], eb = views[1], rb = views[2], wb = views[3];
    PyObject *result = NULL;
    const int32_t *postings = (const int32_t *)pb.buf, *entities = (const int32_t *)eb.buf,
                  *rows = (const int32_t *)rb.buf;
    double *weights = (double *)wb.buf;
    Py_ssize_t n_entities = eb.len / 4, n_rows = rb.len / 4, n_credits = PyList_GET_SIZE(credits_obj);
    Py_ssize_t width = n_entities ? wb.len / 8 / n_entities : 0;
    Py_ssize_t groups[64];
    double values[64];
    if (start < 0 || n < 0 || start + n > pb.len / 4 || n_credits > 64 || width * n_entities * 8 != wb.len) {
        PyErr_SetString(PyExc_ValueError, "credit: a posting list out of range, or weights not rows x width");
        goto done;
    }
    for (Py_ssize_t c = 0; c < n_credits; c++) {
        if (!PyArg_ParseTuple(PyList_GET_ITEM(credits_obj, c), "nd;credit: a credit is (group, weight)", &groups[c],
                              &values[c]))
            goto done;
        if (groups[c] < 0 || groups[c] >= width) {
            PyErr_SetString(PyExc_ValueError, "credit: a group out of range");
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        int32_t row = rows[i];
        if (row < 0 || row >= n_entities) {
            PyErr_SetString(PyExc_ValueError, "credit: a row out of range");
            goto done;
        }
        if (!has(postings + start, n, entities[row]))
            continue;
        for (Py_ssize_t c = 0; c < n_credits; c++) {
            double *cell = &weights[row * width + groups[c]];
            if (values[c] > *cell)
                *cell = values[c];
        }
    }
    result = Py_NewRef(Py_None);
done:
    release_arrays(views, 4);
    return result;
}

/* -- first common ------------------------------------------------------------------------ */

PyDoc_STRVAR(first_common_doc,
"first_common(values, others, k) -> bytearray\n\n"
"The first ``k`` of ``values`` that are in ``others`` (both int32, ascending), by one pass over\n"
"both: ``others`` is searched from where the last value was found, by galloping.");

static PyObject *
first_common(PyObject *self, PyObject *args)
{
    PyObject *values_obj, *others_obj;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "OOn", &values_obj, &others_obj, &k))
        return NULL;
    Want wants[2] = {{values_obj, 4, 'i', 0, "first_common: values"}, {others_obj, 4, 'i', 0, "first_common: others"}};
    Py_buffer views[2];
    if (get_arrays(wants, views, 2) < 0)
        return NULL;
    Py_buffer vb = views[0], ob = views[1];
    const int32_t *values = (const int32_t *)vb.buf, *others = (const int32_t *)ob.buf;
    Py_ssize_t nv = vb.len / 4, no = ob.len / 4, found = 0, at = 0;
    if (k < 0)
        k = 0;
    int32_t *out = PyMem_Malloc((size_t)((k < nv ? k : nv) + 1) * sizeof(int32_t));
    PyObject *result = NULL;
    if (!out) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < nv && found < k && at < no; i++) {
        int32_t v = values[i];
        if (others[at] < v) {
            /* gallop: the first position at or after `at` whose value is not less than v */
            Py_ssize_t step = 1, lo = at, hi = at + 1;
            while (hi < no && others[hi] < v) {
                lo = hi;
                step *= 2;
                hi = at + step;
            }
            if (hi > no)
                hi = no;
            while (lo + 1 < hi) { /* others[lo] < v; others[hi] >= v, or hi == no */
                Py_ssize_t mid = lo + (hi - lo) / 2;
                if (others[mid] < v)
                    lo = mid;
                else
                    hi = mid;
            }
            at = hi;
        }
        if (at < no && others[at] == v)
            out[found++] = v;
    }
    result = PyByteArray_FromStringAndSize((const char *)out, found * 4);
done:
    PyMem_Free(out);
    release_arrays(views, 2);
    return result;
}

/* -- keep -------------------------------------------------------------------------------- */

/* Whether candidate i ranks before candidate j: the larger weight, then the smaller entity. */
static inline int
before(const double *weights, const int32_t *entities, Py_ssize_t i, Py_ssize_t j)
{
    return weights[i] > weights[j] || (weights[i] == weights[j] && entities[i] < entities[j]);
}

PyDoc_STRVAR(keep_doc,
"keep(weights, parts_weights, candidates, mask, share, wanted) -> list[int]\n\n"
"Of the ``candidates`` (int32 entity numbers) that ``mask`` lets through (a bool per entity\n"
"number, or None), ranked by ``weights`` (float64; largest first, ties by entity): those whose\n"
"floor weight (``parts_weights`` where positive, else ``weights``) is at least ``share`` times\n"
"the first one's, the first ``wanted`` of them, as entity numbers.");

static PyObject *
keep(PyObject *self, PyObject *args)
{
    PyObject *weights_obj, *parts_obj, *candidates_obj, *mask_obj;
    double share;
    Py_ssize_t wanted;
    if (!PyArg_ParseTuple(args, "OOOOdn", &weights_obj, &parts_obj, &candidates_obj, &mask_obj, &share, &wanted))
        return NULL;
    int masked = mask_obj != Py_None, held = masked ? 4 : 3;
    Want wants[4] = {{weights_obj, 8, 'd', 0, "keep: weights"}, {parts_obj, 8, 'd', 0, "keep: parts_weights"},
                     {candidates_obj, 4, 'i', 0, "keep: candidates"}, {mask_obj, 1, '?', 0, "keep: mask"}};
    Py_buffer views[4];
    if (get_arrays(wants, views, held) < 0)
        return NULL;
    Py_buffer wb = views[0], pb = views[1], cb = views[2], mb = masked ? views[3] : views[0];
    const double *weights = (const double *)wb.buf, *parts = (const double *)pb.buf;
    const int32_t *entities = (const int32_t *)cb.buf;
    const unsigned char *mask = masked ? (const unsigned char *)mb.buf : NULL;
    Py_ssize_t n = cb.len / 4, size = masked ? mb.len : 0, passed = 0, kept = 0;
    PyObject *result = NULL;
    Py_ssize_t *through = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    Py_ssize_t *top = PyMem_Malloc((size_t)(wanted > 0 ? wanted : 1) * sizeof(Py_ssize_t));
    if (!through || !top) {
        PyErr_NoMemory();
        goto done;
    }
    if (wb.len != n * 8 || pb.len != n * 8) {
        PyErr_SetString(PyExc_ValueError, "keep: a weight of each candidate");
        goto done;
    }
    /* the candidates the mask lets through, and the first of them */
    Py_ssize_t best = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (masked) {
            if (entities[i] < 0 || entities[i] >= size) {
                PyErr_SetString(PyExc_ValueError, "keep: a candidate past the end of the mask");
                goto done;
            }
            if (!mask[entities[i]])
                continue;
        }
        through[passed++] = i;
        if (best < 0 || before(weights, entities, i, best))
            best = i;
    }
    if (best >= 0) {
        double floor = (parts[best] > 0 ? parts[best] : weights[best]) * share;
        /* the first `wanted` of those over the floor, by insertion into a ranked list */
        for (Py_ssize_t t = 0; t < passed; t++) {
            Py_ssize_t i = through[t];
            if ((parts[i] > 0 ? parts[i] : weights[i]) < floor)
                continue;
            if (kept == wanted && (!wanted || !before(weights, entities, i, top[kept - 1])))
                continue;
            Py_ssize_t at = kept < wanted ? kept++ : kept - 1;
            while (at > 0 && before(weights, entities, i, top[at - 1])) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = i;
        }
    }
    result = PyList_New(kept);
    for (Py_ssize_t t = 0; result && t < kept; t++) {
        PyObject *entity = PyLong_FromLong(entities[top[t]]);
        if (!entity) {
            Py_CLEAR(result);
            break;
        }
        PyList_SET_ITEM(result, t, entity);
    }
done:
    PyMem_Free(through);
    PyMem_Free(top);
    release_arrays(views, held);
    return result;
}

static PyMethodDef methods[] = {
    {"gather", gather, METH_VARARGS, gather_doc},
    {"row_sums", row_sums, METH_VARARGS, row_sums_doc},
    {"heaviest", heaviest, METH_VARARGS, heaviest_doc},
    {"credit", credit, METH_VARARGS, credit_doc},
    {"first_common", first_common, METH_VARARGS, first_common_doc},
    {"keep", keep, METH_VARARGS, keep_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "veille.kb._kernels",
    "The inner loops of a knowledge-base search's candidate step, in C (see veille/kb/search.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    return PyModule_Create(&module);
}
