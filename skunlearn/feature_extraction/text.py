"""Text vectorizers that can unlearn: ``CountVectorizer`` and ``TfidfVectorizer``.

The vocabulary, the document frequencies (and so ``min_df``, ``max_df``,
``max_features`` and the idf weights) are functions of the documents: these
vectorizers keep their documents and fit scikit-learn's vectorizer on the
remaining ones when unlearning, so a term whose only occurrences were in
forgotten documents leaves the vocabulary, a term that falls under
``min_df`` leaves it and one that no longer exceeds ``max_df`` returns: the
vocabulary is what a refit gives, term by term. Unlearning costs a
tokenisation of the remaining documents.
"""

from sklearn.feature_extraction import text as sk_text

from ..preprocessing import UnlearnTransformerMixin

__all__ = ["CountVectorizer", "TfidfVectorizer"]

_FIT_DOC = """Learn the vocabulary%s and keep the documents.

        Parameters
        ----------
        raw_documents : iterable of str
            One document per row.
        y : None
            Ignored.

        Returns
        -------
        %s
        """


class CountVectorizer(UnlearnTransformerMixin, sk_text.CountVectorizer):
    """Convert documents to a matrix of token counts; can unlearn exactly.

    :class:`sklearn.feature_extraction.text.CountVectorizer` (same
    parameters and output) that keeps its documents: :meth:`unlearn` finds
    the forgotten documents by value and fits the vectorizer on the remaining
    ones, so ``vocabulary_`` (after ``min_df``, ``max_df`` and
    ``max_features``) equals that of the vectorizer refit on them. Takes
    ``input="content"`` (documents as strings).

    Parameters
    ----------
    lowercase : bool, default=True
        Lowercase before tokenising.
    stop_words : {"english"}, list or None, default=None
        Words left out of the vocabulary.
    token_pattern : str or None, default=r"(?u)\\b\\w\\w+\\b"
        What a token is.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Lengths of the n-grams counted.
    analyzer : {"word", "char", "char_wb"} or callable, default="word"
        Word or character n-grams.
    max_df : float or int, default=1.0
        Terms in more documents than this (a fraction, or a count) are left out.
    min_df : float or int, default=1
        Terms in fewer documents than this are left out.
    max_features : int, default=None
        Keep only the most frequent terms.
    vocabulary : Mapping or iterable, default=None
        A fixed vocabulary (then nothing but the documents depends on the rows).
    binary : bool, default=False
        Count presence instead of occurrences.
    dtype : dtype, default=np.int64
        Output dtype.
    input, encoding, decode_error, strip_accents, preprocessor, tokenizer
        As in scikit-learn's ``CountVectorizer`` (with ``input="content"``).

    Attributes
    ----------
    vocabulary_ : dict
        Term to column, from the (remaining) documents.
    fixed_vocabulary_ : bool
        Whether the vocabulary was given.

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : The same, without ``unlearn``.
    TfidfVectorizer : Tf-idf weighted counts; can unlearn.

    Examples
    --------
    >>> from skunlearn.feature_extraction.text import CountVectorizer
    >>> docs = ["red apple", "green apple", "blue sky"]
    >>> vectorizer = CountVectorizer().fit(docs).unlearn(["blue sky"])
    >>> vectorizer.get_feature_names_out().tolist()
    ['apple', 'green', 'red']
    """

    def fit(self, raw_documents, y=None):
        self._fit_rows(raw_documents, transform=True)
        return self

    fit.__doc__ = _FIT_DOC % ("", "self : CountVectorizer\n            The fitted vectorizer.")

    def fit_transform(self, raw_documents, y=None):
        return self._fit_rows(raw_documents, transform=True)

    fit_transform.__doc__ = _FIT_DOC % (
        ", return the document-term matrix,",
        "X : sparse matrix of shape (n_samples, n_features)\n            Document-term matrix.",
    )


class TfidfVectorizer(UnlearnTransformerMixin, sk_text.TfidfVectorizer):
    """Convert documents to a matrix of tf-idf features; can unlearn exactly.

    :class:`sklearn.feature_extraction.text.TfidfVectorizer` (same
    parameters and output) that keeps its documents: :meth:`unlearn` finds
    the forgotten documents by value and fits the vectorizer on the remaining
    ones, so the vocabulary and the idf weights equal those of the vectorizer
    refit on them. Takes ``input="content"``.

    Parameters
    ----------
    lowercase : bool, default=True
        Lowercase before tokenising.
    stop_words : {"english"}, list or None, default=None
        Words left out of the vocabulary.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Lengths of the n-grams counted.
    max_df : float or int, default=1.0
        Terms in more documents than this are left out.
    min_df : float or int, default=1
        Terms in fewer documents than this are left out.
    max_features : int, default=None
        Keep only the most frequent terms.
    norm : {"l1", "l2"} or None, default="l2"
        Row normalisation.
    use_idf : bool, default=True
        Weight by inverse document frequency.
    smooth_idf : bool, default=True
        Add one to document frequencies.
    sublinear_tf : bool, default=False
        Use ``1 + log(tf)``.
    analyzer, token_pattern, vocabulary, binary, dtype
        As in :class:`CountVectorizer`.
    input, encoding, decode_error, strip_accents, preprocessor, tokenizer
        As in scikit-learn's ``TfidfVectorizer`` (with ``input="content"``).

    Attributes
    ----------
    vocabulary_ : dict
        Term to column, from the (remaining) documents.
    idf_ : ndarray of shape (n_features,)
        Inverse document frequencies of the (remaining) documents.

    See Also
    --------
    sklearn.feature_extraction.text.TfidfVectorizer : The same, without ``unlearn``.
    CountVectorizer : Token counts; can unlearn.

    Examples
    --------
    >>> from skunlearn.feature_extraction.text import TfidfVectorizer
    >>> docs = ["red apple", "green apple", "blue sky"]
    >>> vectorizer = TfidfVectorizer().fit(docs).unlearn(["red apple"])
    >>> sorted(vectorizer.vocabulary_)
    ['apple', 'blue', 'green', 'sky']
    """

    def fit(self, raw_documents, y=None):
        self._fit_rows(raw_documents, transform=True)
        return self

    fit.__doc__ = _FIT_DOC % (
        " and idf",
        "self : TfidfVectorizer\n            The fitted vectorizer.",
    )

    def fit_transform(self, raw_documents, y=None):
        return self._fit_rows(raw_documents, transform=True)

    fit_transform.__doc__ = _FIT_DOC % (
        " and idf, return the tf-idf matrix,",
        "X : sparse matrix of shape (n_samples, n_features)\n            Tf-idf matrix.",
    )
