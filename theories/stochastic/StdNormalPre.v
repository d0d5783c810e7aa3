(** * Preconditions of the unbiasedness theorem for standard-normal draws

    The family [pdraw_list (repeat (fun _ => gauss_pdf 0 1) n)
    (fun xs => PRet (fun t => H t xs))] (StochasticPre.v) draws [n] scalars
    from N(0, 1), a density that does not depend on the parameter [t], and
    ends at [H t xs].  If [u t xs = F (H t xs)] satisfies
    [sg_with a b c u du] (GrowthDefs.v: differentiable in [t] with
    derivative [du], [u t] and [du t] continuous in each draw, both bounded
    by [C exp (c |xs|_1)], for [a < t < b]), both preconditions hold
    ([std_draws_pre]):
    - [gintegrable]: at every draw, the earlier draws [xs0] being fixed,
      [x |-> gauss_pdf 0 1 x * V_t(x)] is Lebesgue integrable for
      [a < t < b], where [V_t(x)] is the expectation of the rest of the run;
    - [dominated]: one integrable [G] bounds
      [|d/dt (gauss_pdf 0 1 x * V_t(x))|] for all [x] and [a < t < b].

    Route.  With [m] draws left, [V_t(x)] is the m-dimensional
    standard-Gaussian expectation [E_ys[u t (xs0 ++ x :: ys)]]
    ([pval_std_draws]).  [box_inner_regular] (GaussianND.v) makes it
    measurable in [x] and bounded by [C exp (c |xs0|_1) K^m exp (c |x|)],
    which is integrable against the density ([gauss_integrable_expR]);
    [std_pathwise_swap] gives its [t]-derivative, [E_ys[du t (xs0 ++ x :: ys)]],
    bounded in the same way ([std_inner_regular]).  Free by-products:
    [std_draws_integrable] (the first precondition alone), [std_draws_pval]
    (the expectation at [t] is [std_gauss_expect n (u t)]) and
    [std_draws_derive] (its [t]-derivative is [std_gauss_expect n (du t)]).

    Bridges from the Stdlib/Coquelicot terms of GrowthDefs.v to the
    mathcomp terms of GaussianND.v: [app_cat] (list append),
    [norm1_mathcomp] ([|xs|_1] as a fold and as a big sum),
    [sep_cont_continuous] (separate continuity, through [continuity_ptE]),
    [growth_bound_mathcomp] (the exponential bound, through [RexpE]),
    [in_open_itv] (the open interval). *)
From Coq Require Import Reals List.
(* Coquelicot first (for its canonical structures on R); mathcomp's names
   come later and win; Coquelicot's derivative is [Derive.is_derive]. *)
From Coquelicot Require Import Coquelicot.
From Certigrad Require Import Preamble.
From Certigrad Require Import DeriveBridge Gaussian GaussianIntegral GaussianND GaussianBridge.
(* Imported last: [gauss_pdf] is Stochastic's, [norm1] is GrowthDefs'. *)
From Certigrad Require Import Stochastic StochasticPre GrowthDefs.
Local Open Scope ring_scope.
(* [%R] is mathcomp's ring scope; [%coqR] (mathcomp's landau.v key) marks
   Stdlib's R_scope, the terms of GrowthDefs.v and StochasticPre.v. *)
#[local] Delimit Scope R_scope with coqR.

Local Notation R := real_realType.

(** * Bridges between Stdlib and mathcomp statements *)

Lemma app_cat (T : Type) (xs ys : list T) : app xs ys = cat xs ys.
Proof. by elim: xs => //= x xs ->. Qed.

Lemma in_open_itv (a b t : R) : t \in `]a, b[ <-> (a < t < b)%coqR.
Proof.
rewrite in_itv /=; split; first by move=> /andP[/RltP ? /RltP ?].
by move=> [? ?]; apply/andP; split; apply/RltP.
Qed.

Lemma RabsE (v : R) : Rabs v = `|v|.
Proof. by []. Qed.

Lemma norm1_mathcomp (xs : list R) : GrowthDefs.norm1 xs = GaussianND.norm1 xs.
Proof.
elim: xs => [|x xs IH]; first by rewrite /GaussianND.norm1 big_nil.
by rewrite /GaussianND.norm1 big_cons -/(GaussianND.norm1 xs) -IH.
Qed.

Lemma expR_norm1_cat (c : R) xs ys :
  expR (c * GaussianND.norm1 (xs ++ ys)) =
  expR (c * GaussianND.norm1 xs) * expR (c * GaussianND.norm1 ys).
Proof. by rewrite /GaussianND.norm1 big_cat mulrDr expRD. Qed.

(** The bound of [sg_with], [|v| <= C exp (c |xs|_1)], in mathcomp terms. *)
Lemma growth_bound_mathcomp (v C c : R) xs :
  (Rabs v <= C * exp (c * GrowthDefs.norm1 xs))%coqR ->
  `|v| <= C * expR (c * GaussianND.norm1 xs).
Proof. by move/RleP; rewrite RabsE RexpE norm1_mathcomp. Qed.

(** Separate continuity ([sep_cont], with Stdlib's [continuity_pt]) gives
    mathcomp's [sep_continuous] once a prefix of the draws is fixed. *)
Lemma sep_cont_continuous (h : list R -> R) (xs0 : list R) :
  sep_cont h -> sep_continuous (fun ys => h (xs0 ++ ys)).
Proof.
move=> hc xs ys y; apply/continuity_ptE.
have -> : (fun y' => h (xs0 ++ (xs ++ y' :: ys))) =
    (fun y' => h (app (xs0 ++ xs) (y' :: ys))).
  by apply: funext => y'; rewrite app_cat catA.
exact: hc.
Qed.

(** * The expectation along standard-normal draws *)

Section Draws.
Variables (X : Type) (F : X -> R) (H : R -> list R -> X).

(** The last [m] of the draws, the earlier ones being [xs0]. *)
Definition std_draws_from (xs0 : list R) (m : nat) : pdist X :=
  pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) m)
    (fun ys => PRet (fun t => H t (xs0 ++ ys))).

Lemma std_draws_from_S xs0 m :
  std_draws_from xs0 m.+1 =
  PDraw (fun _ => gauss_pdf 0 1) (fun x => std_draws_from (rcons xs0 x) m).
Proof.
rewrite /std_draws_from /=; congr PDraw; apply: funext => x.
by congr pdraw_list; apply: funext => ys; rewrite cat_rcons.
Qed.

Lemma pval_std_draws xs0 m t :
  pval F (std_draws_from xs0 m) t =
  std_gauss_expect m (fun ys => F (H t (xs0 ++ ys))).
Proof.
elim: m xs0 => [//|m IH] xs0; rewrite std_draws_from_S /=.
rewrite (_ : (fun x => _) = fun x => (gauss_pdf 0 1 x *
    std_gauss_expect m (fun ys => F (H t (xs0 ++ x :: ys))))%coqR).
  exact: Lint_gauss ltr01.
apply: funext => x; rewrite IH; congr (_ * std_gauss_expect _ _)%coqR.
by apply: funext => ys; rewrite cat_rcons.
Qed.

End Draws.

(** * One draw level *)

Section Level.
Variables (a b c : R) (u du : R -> list R -> R).
Hypothesis hu : sg_with a b c u du.

Local Notation K := (box_moment c 0 1 1).

(** The inner expectation with [m] draws left, the earlier draws [xs0] and
    the current draw [x] being fixed: measurable in [x] and bounded by
    [C exp (c |xs0|_1) K^m exp (c |x|)]. *)
Lemma std_inner_regular (w : list R -> R) (C : R) (xs0 : list R) m :
  sep_cont w -> (forall xs, Rabs (w xs) <= C * exp (c * GrowthDefs.norm1 xs))%coqR ->
  measurable_fun setT (fun x => std_gauss_expect m (fun ys => w (xs0 ++ x :: ys))) /\
  forall x, `|std_gauss_expect m (fun ys => w (xs0 ++ x :: ys))| <=
    C * expR (c * GaussianND.norm1 xs0) * K ^+ m * expR (c * `|x|).
Proof.
move=> wc wb; rewrite /std_gauss_expect.
have := @box_inner_regular c 0 1 1 (nseq m (0, 1)) (fun zs => w (xs0 ++ zs))
  (C * expR (c * GaussianND.norm1 xs0)) ltr01 (std_in_box m)
  (sep_cont_continuous (xs0 := xs0) wc).
rewrite size_nseq; apply => zs.
by rewrite -mulrA -expR_norm1_cat; exact: growth_bound_mathcomp.
Qed.

Lemma std_level_integrable (xs0 : list R) m (V : R -> R -> R) :
  (forall t x, V t x = std_gauss_expect m (fun ys => u t (xs0 ++ x :: ys))) ->
  forall t, (a < t < b)%coqR -> Lintegrable (fun x => gauss_pdf 0 1 x * V t x).
Proof.
move=> hV t tab; have [_ [/(_ t tab) [uc _] [C Cb]]] := hu.
have [mV bV] := std_inner_regular xs0 m uc (fun xs => proj1 (Cb t xs tab)).
rewrite (_ : (fun x => _) = fun x => gauss_pdf 0 1 x *
    std_gauss_expect m (fun ys => u t (xs0 ++ x :: ys))); last first.
  by apply: funext => x; rewrite hV.
apply/Lintegrable_gauss; first exact: ltr01.
exact: gauss_integrable_expR ltr01 mV bV.
Qed.

(** The [t]-derivative of the expectation over the last [m] draws, the
    earlier draws [xs0] being fixed, is the expectation of [du]
    ([std_pathwise_swap]). *)
Lemma std_inner_derive (xs0 : list R) m t : (a < t < b)%coqR ->
  Derive.is_derive (fun s : Rdefinitions.R => std_gauss_expect m (fun ys => u s (xs0 ++ ys))) t
    (std_gauss_expect m (fun ys => du t (xs0 ++ ys))).
Proof.
move=> tab; have [ud [usc [C Cb]]] := hu.
have bnd (w : list R -> R) : (forall xs, Rabs (w xs) <= C * exp (c * GrowthDefs.norm1 xs))%coqR ->
    forall e, `|w (xs0 ++ e)| <=
      C * expR (c * GaussianND.norm1 xs0) * expR (c * GaussianND.norm1 e).
  by move=> wb e; rewrite -mulrA -expR_norm1_cat; exact: growth_bound_mathcomp.
apply/is_derive_Coquelicot.
apply: (@std_pathwise_swap m (fun s ys => u s (xs0 ++ ys))
  (fun s ys => du s (xs0 ++ ys)) a b _ c); last exact/in_open_itv.
- by move=> e s /in_open_itv sab; apply/is_derive_Coquelicot; exact: ud.
- move=> s /in_open_itv sab; apply: sep_cont_continuous.
  by have [] := usc s sab.
- move=> s /in_open_itv sab; apply: sep_cont_continuous.
  by have [] := usc s sab.
- by move=> e s /in_open_itv sab; apply: bnd => xs; have [] := Cb s xs sab.
by move=> e s /in_open_itv sab; apply: bnd => xs; have [] := Cb s xs sab.
Qed.

Lemma std_level_dominated (xs0 : list R) m (V : R -> R -> R) :
  (forall t x, V t x = std_gauss_expect m (fun ys => u t (xs0 ++ x :: ys))) ->
  exists G : R -> R, Lintegrable G /\
    forall x t, (a < t < b)%coqR ->
      (Rabs (Derive.Derive (fun s => gauss_pdf 0 1 x * V s x) t) <= G x)%coqR.
Proof.
move=> hV; have [_ [usc [C Cb]]] := hu.
pose D := C * expR (c * GaussianND.norm1 xs0) * K ^+ m.
exists (fun x => gauss_pdf 0 1 x * (D * expR (c * `|x|))); split.
  apply/Lintegrable_gauss; first exact: ltr01.
  exact/gauss_integrableZ/gauss_integrable_expR_abs/ltr01.
move=> x t tab.
rewrite Derive.Derive_scal.
rewrite (_ : Derive.Derive _ t = std_gauss_expect m (fun ys => du t (xs0 ++ x :: ys))).
  have [_ bdu] := std_inner_regular xs0 m (proj2 (usc t tab))
    (fun xs => proj2 (Cb t xs tab)).
  apply/RleP; rewrite RabsE normrM stochastic_gauss_pdfE ?ltr01//.
  rewrite gtr0_norm ?gauss_pdf_gt0//.
  apply: ler_wpmul2l; first exact/ltW/gauss_pdf_gt0.
  exact: bdu.
(* The draws before the inner ones are [rcons xs0 x]. *)
have E (w : R -> list R -> R) s : std_gauss_expect m (fun ys => w s (xs0 ++ x :: ys)) =
    std_gauss_expect m (fun ys => w s (rcons xs0 x ++ ys)).
  by congr std_gauss_expect; apply: funext => ys; rewrite cat_rcons.
apply: Derive.is_derive_unique; rewrite (E du).
rewrite (_ : (fun s => V s x) =
    fun s => std_gauss_expect m (fun ys => u s (rcons xs0 x ++ ys))).
  exact: std_inner_derive.
by apply: funext => s; rewrite hV (E u).
Qed.

End Level.

(** * The preconditions for [n] standard-normal draws *)

Section StdlibStatements.
Local Open Scope R_scope.
Local Notation R := Rdefinitions.R.

Theorem std_draws_pre {X : Type} (F : X -> R) (H : R -> list R -> X) (n : nat) (a b c : R)
    (du : R -> list R -> R) :
  0 <= c -> sg_with a b c (fun t xs => F (H t xs)) du ->
  gintegrable F a b (pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) n) (fun xs => PRet (fun t => H t xs))) /\
  dominated F a b (pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) n) (fun xs => PRet (fun t => H t xs))).
Proof.
move=> _ hu.
suff all_levels : forall xs0, gintegrable F a b (std_draws_from H xs0 n) /\
    dominated F a b (std_draws_from H xs0 n) by exact: (all_levels [::]).
elim: n => [//|m IH] xs0; rewrite std_draws_from_S /=.
have hV t x : pval F (std_draws_from H (rcons xs0 x) m) t =
    std_gauss_expect m (fun ys => F (H t (xs0 ++ x :: ys))).
  rewrite pval_std_draws; do 2!f_equal.
  by apply: funext => ys; rewrite cat_rcons.
split; split.
- exact: (std_level_integrable hu (V := fun t x =>
    pval F (std_draws_from H (rcons xs0 x) m) t)).
- by move=> x; case: (IH (rcons xs0 x)).
- exact: (std_level_dominated hu (V := fun t x =>
    pval F (std_draws_from H (rcons xs0 x) m) t)).
by move=> x; case: (IH (rcons xs0 x)).
Qed.

Corollary std_draws_integrable {X : Type} (F : X -> R) (H : R -> list R -> X) (n : nat)
    (a b c : R) (du : R -> list R -> R) :
  0 <= c -> sg_with a b c (fun t xs => F (H t xs)) du ->
  gintegrable F a b (pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) n) (fun xs => PRet (fun t => H t xs))).
Proof. by move=> c0 hu; case: (std_draws_pre n c0 hu). Qed.

(** The expected value at [t] is the n-dimensional standard-Gaussian
    expectation of [F (H t .)] (GaussianND.v). *)
Corollary std_draws_pval {X : Type} (F : X -> R) (H : R -> list R -> X) (n : nat) (t : R) :
  pval F (pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) n) (fun xs => PRet (fun t => H t xs))) t =
  std_gauss_expect n (fun xs => F (H t xs)).
Proof. exact: (pval_std_draws F H [::] n t). Qed.

(** Its [t]-derivative is the expectation of [du t]. *)
Corollary std_draws_derive {X : Type} (F : X -> R) (H : R -> list R -> X) (n : nat)
    (a b c : R) (du : R -> list R -> R) (t : R) :
  sg_with a b c (fun t xs => F (H t xs)) du -> a < t < b ->
  Derive.is_derive
    (pval F (pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) n) (fun xs => PRet (fun t => H t xs))))
    t (std_gauss_expect n (du t)).
Proof.
move=> hu tab.
rewrite (_ : pval F _ = fun s => std_gauss_expect n (fun xs => F (H s xs))).
  exact: (std_inner_derive (u := fun t xs => F (H t xs)) hu [::]).
by apply: funext => s; exact: std_draws_pval.
Qed.

End StdlibStatements.
