(** * Score-function gradient for n-dimensional diagonal Gaussians

    [score_function_swap_n]: for parameter paths [mu i], [s i] ([i < n]),
    differentiable on ]a, b[ with derivatives [dmu i], [ds i] and staying in
    a box ([s1 <= s i t <= s2], [0 < s1], [|mu i t| <= M], [|dmu i t| <= D1],
    [|ds i t| <= D2]), and [h : seq R -> R] continuous in each coordinate
    ([sep_continuous]) with [|h xs| <= C exp(c |xs|_1)],
      d/dt E_{xs ~ N(mu t, diag (s t)^2)}[h xs]
        = E[h xs * sum_(i < n) gauss_score (mu i t) (s i t) (dmu i t) (ds i t) xs_i]
    where the distribution is [gauss_expect_n (path_params n mu s t)]
    (GaussianND.v, first coordinate outermost) and the sum is [score_sum].

    Route: induction on [n].  At rank [n+1] the expectation is
    [E_{x ~ N(mu 0 t, s 0 t)}[V t x]] with [V t x] the rank-[n] expectation
    of [h (x :: .)] for the shifted paths; Leibniz's rule (Leibniz.v) is
    applied to [x |-> V t x * pdf_t(x)], whose t-derivative is, by the
    product rule, [(dV t x + V t x * score_0 t x) * pdf_t(x)] with [dV] given
    by the induction hypothesis.  The domination uses bounds uniform over the
    box ([in_box]): [box_regular] (GaussianND.v, with the moment bound
    [box_moment] from [gauss_dom]) bounds [V] by [C K^n exp(c|x|)] and [dV]
    by [C' exp((c+2)|x|)] (the score sum is at
    most [n score_const exp(2 |xs|_1)], [score_sum_bound]); the score of the
    outer coordinate is bounded by [score_bound].  Finally the inner
    expectation is split by linearity ([gauss_expect_nD], [gauss_expect_nMr],
    valid for regular functions since every inner expectation is then
    integrable).
    [score_function_swap_n_mean]: the partial derivative with respect to one
    mean, E[h xs * (x_j - m_j) / s_j^2]. *)
From Certigrad Require Import Preamble.
From Certigrad Require Import Leibniz LebesgueFTC Gaussian ExpectationSwap GaussianIntegral GaussianND.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Notation R := real_realType.
Notation lambda := (@lebesgue_measure R).

(** The inner expectation of a regular function, for parameters in the box,
    is measurable and exponentially bounded ([box_inner_regular],
    GaussianND.v), hence integrable against any Gaussian. *)
Lemma box_inner_integrable (c M s1 s2 : R) m s ms (g : seq R -> R) (C : R) :
  0 < s1 -> 0 < s -> in_box M s1 s2 ms -> sep_continuous g ->
  (forall xs, `|g xs| <= C * expR (c * norm1 xs)) ->
  gauss_integrable m s (fun x => gauss_expect_n ms (fun xs => g (x :: xs))).
Proof.
move=> s10 s0 box sg gb; have [mg bg] := box_inner_regular s10 box sg gb.
exact: gauss_integrable_expR s0 mg bg.
Qed.

(** * Linearity of iterated expectations of regular functions *)

Lemma sep_continuous_cons (h : seq R -> R) x :
  sep_continuous h -> sep_continuous (fun xs => h (x :: xs)).
Proof. by move=> sh xs ys; exact: (sh (x :: xs) ys). Qed.

Lemma sep_continuousM (f g : seq R -> R) :
  sep_continuous f -> sep_continuous g -> sep_continuous (fun xs => f xs * g xs).
Proof.
move=> sf sg xs ys y.
by apply: (@continuousM _ _ (fun y => f (xs ++ y :: ys))
  (fun y => g (xs ++ y :: ys))); [exact: sf|exact: sg].
Qed.

Lemma sep_continuous_cst (k : R) : sep_continuous (fun=> k).
Proof. by move=> xs ys; exact: cst_continuous. Qed.

Lemma gauss_expect_nD (M s1 s2 : R) ms (f g : seq R -> R) (Cf cf Cg cg : R) :
  0 < s1 -> in_box M s1 s2 ms -> sep_continuous f -> sep_continuous g ->
  (forall xs, `|f xs| <= Cf * expR (cf * norm1 xs)) ->
  (forall xs, `|g xs| <= Cg * expR (cg * norm1 xs)) ->
  gauss_expect_n ms (fun xs => f xs + g xs) =
  gauss_expect_n ms f + gauss_expect_n ms g.
Proof.
move=> s10; elim: ms f g Cf Cg => [//|[m s] ms IH] f g Cf Cg /=.
move=> /andP[/and3P[s1s _ _] box] sf sg fb gb.
have s0 : 0 < s := lt_le_trans s10 s1s.
rewrite (@gauss_expect_ext _ _ _ (fun x =>
    gauss_expect_n ms (fun xs => f (x :: xs)) +
    gauss_expect_n ms (fun xs => g (x :: xs)))) => [|x].
  apply: gauss_expectD.
    exact: box_inner_integrable s10 s0 box sf fb.
  exact: box_inner_integrable s10 s0 box sg gb.
apply: (IH _ _ (Cf * expR (cf * `|x|)) (Cg * expR (cg * `|x|))) => //.
- exact: sep_continuous_cons.
- exact: sep_continuous_cons.
- by move=> xs; rewrite -mulrA -expR_norm1_cons.
- by move=> xs; rewrite -mulrA -expR_norm1_cons.
Qed.

Lemma gauss_expect_nMr (M s1 s2 : R) ms (f : seq R -> R) (k C c : R) :
  0 < s1 -> in_box M s1 s2 ms -> sep_continuous f ->
  (forall xs, `|f xs| <= C * expR (c * norm1 xs)) ->
  gauss_expect_n ms (fun xs => f xs * k) = gauss_expect_n ms f * k.
Proof.
move=> s10; elim: ms f C => [//|[m s] ms IH] f C /=.
move=> /andP[/and3P[s1s _ _] box] sf fb.
have s0 : 0 < s := lt_le_trans s10 s1s.
rewrite (@gauss_expect_ext _ _ _ (fun x =>
    k * gauss_expect_n ms (fun xs => f (x :: xs)))) => [|x].
  rewrite gauss_expectZ; last exact: box_inner_integrable s10 s0 box sf fb.
  by rewrite [LHS]mulrC.
rewrite [RHS]mulrC.
apply: (IH _ (C * expR (c * `|x|))) => //.
- exact: sep_continuous_cons.
- by move=> xs; rewrite -mulrA -expR_norm1_cons.
Qed.

(** * Parameter paths and the total score *)

Definition path_params n (mu s : nat -> R -> R) (t : R) : seq (R * R) :=
  mkseq (fun i => (mu i t, s i t)) n.

Definition score_sum n (mu s dmu ds : nat -> R -> R) (t : R) (xs : seq R) : R :=
  \sum_(i < n) gauss_score (mu i t) (s i t) (dmu i t) (ds i t) (nth 0 xs i).

Lemma path_paramsS n mu s t : path_params n.+1 mu s t =
  (mu 0%N t, s 0%N t) :: path_params n (fun i => mu i.+1) (fun i => s i.+1) t.
Proof. by rewrite /path_params /mkseq /= -[1%N]/(1 + 0)%N iotaDl -map_comp. Qed.

Lemma size_path_params n mu s t : size (path_params n mu s t) = n.
Proof. exact: size_mkseq. Qed.

Lemma score_sumS n mu s dmu ds t x xs : score_sum n.+1 mu s dmu ds t (x :: xs) =
  gauss_score (mu 0%N t) (s 0%N t) (dmu 0%N t) (ds 0%N t) x +
  score_sum n (fun i => mu i.+1) (fun i => s i.+1) (fun i => dmu i.+1)
    (fun i => ds i.+1) t xs.
Proof. by rewrite /score_sum big_ord_recl. Qed.

Lemma path_params_box n (mu s : nat -> R -> R) (t M s1 s2 : R) :
  (forall i, (i < n)%N -> [/\ s1 <= s i t, s i t <= s2 & `|mu i t| <= M]) ->
  in_box M s1 s2 (path_params n mu s t).
Proof.
move=> H; apply/allP => p /mapP[i]; rewrite mem_iota add0n => /andP[_ ilt] -> /=.
by have [? ? ?] := H i ilt; apply/and3P.
Qed.

Lemma nth_le_norm1 xs i : `|nth 0 xs i| <= norm1 xs.
Proof.
elim: xs i => [|x xs IH] [|i] /=; rewrite ?nth_nil ?normr0 ?norm1_ge0// /norm1 big_cons.
  by rewrite ler_addl norm1_ge0.
by apply: le_trans (IH i) _; rewrite ler_addr.
Qed.

Lemma score_sum_bound n (mu s dmu ds : nat -> R -> R) (t M s1 D1 D2 : R) xs :
  0 < s1 ->
  (forall i, (i < n)%N -> [/\ s1 <= s i t, `|mu i t| <= M, `|dmu i t| <= D1
     & `|ds i t| <= D2]) ->
  `|score_sum n mu s dmu ds t xs| <=
    n%:R * score_const M s1 D1 D2 * expR (2 * norm1 xs).
Proof.
move=> s10 H; apply: le_trans (ler_norm_sum _ _ _) _.
rewrite -mulrA mulr_natl -[X in _ *+ X]card_ord -sumr_const.
apply: ler_sum => i _; have [s1s mM dD1 dD2] := H i (ltn_ord i).
apply: le_trans (score_bound _ s10 s1s mM dD1 dD2) _.
apply: ler_wpmul2l; last by rewrite ler_expR ler_wpmul2l// nth_le_norm1.
apply: score_const_ge0 => //; [exact: le_trans (normr_ge0 _) mM|
  exact: le_trans (normr_ge0 _) dD1|exact: le_trans (normr_ge0 _) dD2].
Qed.

Lemma continuous_gauss_score mu s dmu ds : continuous (gauss_score mu s dmu ds).
Proof. by apply: derivable_continuous => x; apply: ex_derive. Qed.

Lemma continuous_eq (f g : R -> R) : f = g -> continuous g -> continuous f.
Proof. by move=> ->. Qed.

Lemma continuous_sum n (G : nat -> R -> R) : (forall i, continuous (G i)) ->
  continuous (fun y => \sum_(i < n) G i y).
Proof.
move=> Gc; elim: n => [|n IH].
  apply: (@continuous_eq _ (fun=> 0)); last exact: cst_continuous.
  by apply: funext => y; rewrite big_ord0.
apply: (@continuous_eq _ ((fun y => \sum_(i < n) G i y) + G n)).
  by apply: funext => y /=; rewrite big_ord_recr.
by move=> x; exact: continuousD (IH x) (Gc n x).
Qed.

Lemma continuous_nth_cat (F : R -> R) xs ys i : continuous F ->
  continuous (fun y => F (nth 0 (xs ++ y :: ys) i)).
Proof.
move=> cF; apply: (@continuous_eq _ (if (i < size xs)%N then fun=> F (nth 0 xs i)
    else if i == size xs then F else fun=> F (nth 0 ys (i - size xs).-1))).
  apply: funext => y; rewrite nth_cat; case: ltnP => [//|ge].
  case: eqP => [->|/eqP ne]; first by rewrite subnn.
  have : (0 < i - size xs)%N by rewrite subn_gt0 ltn_neqAle eq_sym ne ge.
  by case: (i - size xs)%N.
by case: ifP => _; [|case: ifP => _ //]; exact: cst_continuous.
Qed.

Lemma sep_continuous_score_sum n mu s dmu ds t :
  sep_continuous (score_sum n mu s dmu ds t).
Proof.
move=> xs ys; rewrite /score_sum.
apply: (@continuous_sum n (fun i y => gauss_score (mu i t) (s i t) (dmu i t)
  (ds i t) (nth 0 (xs ++ y :: ys) i))) => i.
exact/continuous_nth_cat/continuous_gauss_score.
Qed.

(** * The n-dimensional score-function swap *)

Theorem score_function_swap_n n (mu s dmu ds : nat -> R -> R) (h : seq R -> R)
    (a b C c M s1 s2 D1 D2 : R) :
  0 < s1 ->
  (forall i t, (i < n)%N -> t \in `]a, b[ -> is_derive t 1 (mu i) (dmu i t)) ->
  (forall i t, (i < n)%N -> t \in `]a, b[ -> is_derive t 1 (s i) (ds i t)) ->
  (forall i t, (i < n)%N -> t \in `]a, b[ ->
     [/\ s1 <= s i t, s i t <= s2, `|mu i t| <= M, `|dmu i t| <= D1
       & `|ds i t| <= D2]) ->
  sep_continuous h -> (forall xs, `|h xs| <= C * expR (c * norm1 xs)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect_n (path_params n mu s th) h)
    (gauss_expect_n (path_params n mu s t)
       (fun xs => h xs * score_sum n mu s dmu ds t xs)).
Proof.
move=> s10; elim: n mu s dmu ds h C => [|n IH] mu s dmu ds h C dmu_ ds_ box sh hb t tab.
  rewrite /= /score_sum big_ord0 mulr0; exact: is_derive_cst.
pose mu' i := mu i.+1; pose s' i := s i.+1.
pose dmu' i := dmu i.+1; pose ds' i := ds i.+1.
have box' i th : (i < n)%N -> th \in `]a, b[ ->
    [/\ s1 <= s' i th, s' i th <= s2, `|mu' i th| <= M, `|dmu' i th| <= D1
      & `|ds' i th| <= D2] := box i.+1 th.
have boxp th : th \in `]a, b[ -> in_box M s1 s2 (path_params n mu' s' th).
  move=> thab; apply: path_params_box => i ilt.
  by have [? ? ? _ _] := box' i th ilt thab.
have hx x xs : `|h (x :: xs)| <= C * expR (c * `|x|) * expR (c * norm1 xs).
  by rewrite -mulrA -expR_norm1_cons.
set K := box_moment c M s1 s2; set K2 := box_moment (c + 2) M s1 s2.
set Ks := score_const M s1 D1 D2.
pose V th x := gauss_expect_n (path_params n mu' s' th) (fun xs => h (x :: xs)).
pose dV th x := gauss_expect_n (path_params n mu' s' th)
  (fun xs => h (x :: xs) * score_sum n mu' s' dmu' ds' th xs).
have hS th : th \in `]a, b[ -> forall x xs,
    `|h (x :: xs) * score_sum n mu' s' dmu' ds' th xs| <=
    C * expR (c * `|x|) * (n%:R * Ks) * expR ((c + 2) * norm1 xs).
  move=> thab x xs; rewrite normrM.
  apply: le_trans (ler_pmul (normr_ge0 _) (normr_ge0 _) (hx x xs)
    (@score_sum_bound n mu' s' dmu' ds' th M s1 D1 D2 xs s10 _)) _.
    by move=> i ilt; have [? _ ? ? ?] := box' i th ilt thab.
  rewrite le_eqVlt; apply/orP; left; apply/eqP.
  rewrite [(c + 2) * _]mulrDl expRD.
  move: (expR (c * `|x|)) (expR (c * norm1 xs)) (expR (2 * norm1 xs)) => e1 e2 e3.
  by to_std; ring.
have sS th x : sep_continuous
    (fun xs => h (x :: xs) * score_sum n mu' s' dmu' ds' th xs).
  exact: sep_continuousM (@sep_continuous_cons h x sh) 
    (@sep_continuous_score_sum n mu' s' dmu' ds' th).
have Vb th x : th \in `]a, b[ -> `|V th x| <= C * K ^+ n * expR (c * `|x|).
  move=> thab; have [_ +] := box_inner_regular s10 (boxp th thab) sh hb.
  by rewrite size_path_params; apply.
have dVb th x : th \in `]a, b[ ->
    `|dV th x| <= C * expR (c * `|x|) * (n%:R * Ks) * K2 ^+ n.
  move=> thab; have [+ _] := box_regular (c + 2) s10 (boxp th thab).
  rewrite size_path_params; apply; [exact: sS|exact: hS].
pose B := C * K2 ^+ n * (n%:R * Ks) + C * K ^+ n * Ks.
have s20 : 0 < s2.
  by have [s1t st2 _ _ _] := box 0%N t isT tab; exact: lt_le_trans s10 (le_trans s1t st2).
have key : is_derive t 1
    (fun th => gauss_expect (mu 0%N th) (s 0%N th) (V th))
    (gauss_expect (mu 0%N t) (s 0%N t) (fun x => dV t x +
       V t x * gauss_score (mu 0%N t) (s 0%N t) (dmu 0%N t) (ds 0%N t) x)).
  apply: (@leibniz_is_derive _ _ _ lambda setT measurableT
    (fun th x => V th x * gauss_pdf (mu 0%N th) (s 0%N th) x)
    (fun th x => (dV th x +
       V th x * gauss_score (mu 0%N th) (s 0%N th) (dmu 0%N th) (ds 0%N th) x) *
       gauss_pdf (mu 0%N th) (s 0%N th) x)
    (gauss_dom B (c + 2) M s1 s2) a b) => //.
  - move=> th thab; have [s1th _ _ _ _] := box 0%N th isT thab.
    exact: box_inner_integrable s10 (lt_le_trans s10 s1th) (boxp th thab) sh hb.
  - move=> x _ th thab; have [s1th _ _ _ _] := box 0%N th isT thab.
    have H1 : is_derive th 1 (V ^~ x) (dV th x).
      apply: (IH mu' s' dmu' ds' (fun xs => h (x :: xs)) (C * expR (c * `|x|))) => //.
      + by move=> *; apply: dmu_.
      + by move=> *; apply: ds_.
      + exact: sep_continuous_cons.
    have H2 := @is_derive_gauss_pdf (mu 0%N) (s 0%N) (dmu 0%N th) (ds 0%N th) th x
      (dmu_ 0%N th isT thab) (ds_ 0%N th isT thab) (lt_le_trans s10 s1th).
    apply: (trigger_derive (is_deriveM H1 H2)).
    have E (u v : R) : u *: v = u * v by [].
    by rewrite !E; to_std; ring.
  - exact: gauss_dom_integrable.
  move=> x _ th thab; have [s1th sth2 muth dmuth dsth] := box 0%N th isT thab.
  have L : `|dV th x +
      V th x * gauss_score (mu 0%N th) (s 0%N th) (dmu 0%N th) (ds 0%N th) x| <=
      B * expR ((c + 2) * `|x|).
    have -> : B * expR ((c + 2) * `|x|) =
        C * expR (c * `|x|) * (n%:R * Ks) * K2 ^+ n * expR (2 * `|x|) +
        C * K ^+ n * expR (c * `|x|) * (Ks * expR (2 * `|x|)).
      rewrite /B [(c + 2) * _]mulrDl expRD.
      move: (expR (c * `|x|)) (expR (2 * `|x|)) (K2 ^+ n) (K ^+ n) (n%:R * Ks)
        => e1 e2 k2 k nk.
      by to_std; ring.
    apply: le_trans (ler_norm_add _ _) _; apply: ler_add.
      apply: le_trans (dVb th x thab) _.
      rewrite -{1}(mulr1 (_ * K2 ^+ n)); apply: ler_wpmul2l.
        exact: le_trans (normr_ge0 _) (dVb th x thab).
      by rewrite -[X in X <= _]expR0 ler_expR mulr_ge0.
    rewrite normrM; apply: ler_pmul => //; first exact: Vb.
    exact: score_bound.
  apply: le_trans _ (@gauss_dom_le B (c + 2) M s1 s2 (mu 0%N th)
    (s 0%N th) x s10 s1th sth2 muth (bound_ge0 L)).
  rewrite normrM (gtr0_norm (gauss_pdf_gt0 _ _ _)).
  by apply: ler_wpmul2r; [exact: ltW (gauss_pdf_gt0 _ _ _)|exact: L].
have -> : (fun th => gauss_expect_n (path_params n.+1 mu s th) h) =
    fun th => gauss_expect (mu 0%N th) (s 0%N th) (V th).
  by apply: funext => th; rewrite path_paramsS.
apply: (trigger_derive key); rewrite path_paramsS /=.
apply: gauss_expect_ext => x.
have -> : (fun xs => h (x :: xs) * score_sum n.+1 mu s dmu ds t (x :: xs)) =
    fun xs => h (x :: xs) *
      gauss_score (mu 0%N t) (s 0%N t) (dmu 0%N t) (ds 0%N t) x +
      h (x :: xs) * score_sum n mu' s' dmu' ds' t xs.
  by apply: funext => xs; rewrite score_sumS mulrDr.
rewrite (@gauss_expect_nD M s1 s2 _ _ _
  (C * expR (c * `|x|) * `|gauss_score (mu 0%N t) (s 0%N t) (dmu 0%N t) (ds 0%N t) x|)
  c (C * expR (c * `|x|) * (n%:R * Ks)) (c + 2) s10 (boxp t tab)).
- rewrite (@gauss_expect_nMr M s1 s2 _ _ _ (C * expR (c * `|x|)) c s10 (boxp t tab)).
  + by rewrite [RHS]addrC.
  + exact: sep_continuous_cons.
  + by move=> xs; rewrite -mulrA -expR_norm1_cons.
- exact: sep_continuousM (@sep_continuous_cons h x sh) (@sep_continuous_cst _).
- exact: sS.
- move=> xs; rewrite normrM mulrAC.
  by apply: ler_wpmul2r; [exact: normr_ge0|exact: hx].
- exact: hS.
Qed.

(** The partial derivative with respect to one mean [m j] (the other means
    and all standard deviations fixed): the score is
    [(x_j - m_j) / s_j^2]. *)
Corollary score_function_swap_n_mean n j (m s : nat -> R) (h : seq R -> R)
    (a b C c M s1 s2 : R) :
  (j < n)%N -> 0 < s1 ->
  (forall i, (i < n)%N -> [/\ s1 <= s i, s i <= s2 & `|m i| <= M]) ->
  `|a| <= M -> `|b| <= M ->
  sep_continuous h -> (forall xs, `|h xs| <= C * expR (c * norm1 xs)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect_n
      (path_params n (fun i u => if i == j then u else m i) (fun i _ => s i) th) h)
    (gauss_expect_n
      (path_params n (fun i u => if i == j then u else m i) (fun i _ => s i) t)
      (fun xs => h xs * ((nth 0 xs j - t) / s j ^+ 2))).
Proof.
move=> jn s10 box aM bM sh hb t tab.
have := @score_function_swap_n n (fun i u => if i == j then u else m i)
  (fun i _ => s i) (fun i _ => (i == j)%:R) (fun _ _ => 0) h a b C c M s1 s2 1 0
  s10 _ _ _ sh hb t tab.
have E xs : score_sum n (fun i u => if i == j then u else m i) (fun i _ => s i)
    (fun i _ => (i == j)%:R) (fun _ _ => 0) t xs = (nth 0 xs j - t) / s j ^+ 2.
  rewrite /score_sum (bigD1 (Ordinal jn)) //= big1 ?addr0 => [|i ij].
    by rewrite eqxx /gauss_score mul1r mul0r addr0 expr2 invfM mulrA.
  have -> : (nat_of_ord i == j) = false.
    by apply/negbTE; move: ij; rewrite -(inj_eq val_inj).
  by rewrite /gauss_score !mul0r addr0 mul0r.
rewrite (_ : (fun xs => _) = fun xs => h xs * ((nth 0 xs j - t) / s j ^+ 2)).
  apply.
  - move=> i u _ _; case: (i == j); first exact: is_derive_id.
    exact: is_derive_cst.
  move=> i u ilt; rewrite in_itv/= => /andP[au ub].
  have [s1i si2 mi] := box i ilt; split => //.
  - case: (i == j) => //; move: aM bM; rewrite !ler_norml.
    move=> /andP[Ma _] /andP[_ bM']; apply/andP; split.
      exact: le_trans Ma (ltW au).
    exact: le_trans (ltW ub) bM'.
  - by case: (i == j); rewrite ?normr1 ?normr0.
  - by rewrite normr0.
by apply: funext => xs; rewrite E.
Qed.
