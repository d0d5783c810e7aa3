(** * Bridge: the Gaussian density of the graph semantics is the one of Gaussian.v

    Why this file exists.  Two developments define the density of
    N(m, s^2) on Stdlib [R]:
    - Stochastic.v (the semantics used by [Unbiased.backprop_unbiased]):
      [Stochastic.gauss_pdf m s x = exp (-(x-m)^2 / (2 s^2)) / (s sqrt(2 PI))]
      with Stdlib [exp], [sqrt], [PI], integrated by [Stochastic.Lint];
    - Gaussian.v (the expectation-swap library): [Gaussian.gauss_pdf], built
      from mathcomp-analysis's [expR], [Num.sqrt], [pi], integrated by
      [gauss_expect]; GaussianIntegral.v proves that it has mass one, mean
      [m] and variance [s^2] (through the Gaussian integral of
      GaussianValue.v).
    Nothing linked them, so none of those facts were known for the densities
    that the graph semantics draws from.  This file proves that the two
    densities are equal and transports the facts.

    - Stdlib vs mathcomp-analysis special functions (mathcomp-analysis 0.6
      has only [RsqrtE] of these): [RexpE] ([exp = expR]), [RcosE], [RsinE]
      and [PIE] ([PI = pi]: both halves are the zero of cosine in [0, 2],
      [cos_02_uniq]).  The function identities go through derivatives: the
      Stdlib derivatives ([derivable_pt_lim_exp], ...) are carried to
      mathcomp's [is_derive] by [is_derive_Coquelicot] (DeriveBridge.v),
      and [is_derive_0_is_cst] concludes.
    - [stochastic_gauss_pdfE]: [Stochastic.gauss_pdf m s x =
      Gaussian.gauss_pdf m s x] for [0 < s].
    - [Lint_gauss], [Lintegrable_gauss] (and [_r] variants, density on the
      right): [Lint]/[Lintegrable] of [gauss_pdf * h] are [gauss_expect] /
      [gauss_integrable] of [h].
    - In Stdlib notation, the way Stochastic.v and UnbiasedExamples.v write
      integrals: [stochastic_gauss_mass] (the density integrates to 1),
      [stochastic_gauss_mean], [stochastic_gauss_variance],
      [stochastic_gauss_second_moment], integrability
      ([stochastic_gauss_integrable], [stochastic_gauss_integrable_exp]:
      density times a continuous function of exponential growth), a
      uniform integrable domination over a box of parameters
      ([stochastic_gauss_uniform_dom]), and the same facts for one draw of
      [Stochastic.expect] ([expect_gauss_draw_*]).

    UnbiasedExamples.v builds its integrable dominating functions from
    [stochastic_gauss_uniform_dom] and [stochastic_gauss_poly_integrable];
    for its [ex1] ([x ~ N(theta, (e^theta)^2)], cost [x * x]) the expected
    cost is computable: [expect_gauss_draw_sq] gives
    [E[x^2] = e^(2 theta) + theta^2]. *)
From Coq Require Import Reals Lra.
From Certigrad Require Import Preamble.
(* Coq's implicit-argument defaults, not mathcomp's: see Preamble.v. *)
Unset Implicit Arguments.
Set Strict Implicit.
Set Printing Implicit Defensive.
From Coquelicot Require Derive.
From Certigrad Require Import Leibniz LebesgueFTC DeriveBridge Gaussian GaussianIntegral.
From Certigrad Require Stochastic.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Local Notation R := real_realType.

(** * Stdlib special functions are mathcomp-analysis's *)

(** Stdlib derivatives as mathcomp derivatives. *)

Lemma is_derive_std (f : R -> R) (x l : R) :
  derivable_pt_lim f x l -> is_derive x 1 f l.
Proof. by move=> h; apply/is_derive_Coquelicot/Derive.is_derive_Reals. Qed.

Local Instance is_derive_Rsin (x : R) :
  is_derive x 1 (Rtrigo_def.sin : R -> R) (Rtrigo_def.cos x).
Proof. exact/is_derive_std/derivable_pt_lim_sin. Qed.

Local Instance is_derive_Rcos (x : R) :
  is_derive x 1 (Rtrigo_def.cos : R -> R) (- Rtrigo_def.sin x).
Proof. exact/is_derive_std/derivable_pt_lim_cos. Qed.

Fact Rcos_sin_sq (x : R) :
  (Rtrigo_def.cos x - cos x) ^+ 2 + (Rtrigo_def.sin x - sin x) ^+ 2 = 0.
Proof.
set v := LHS; pattern x in v; move: @v; set f := (X in let _ := X x in _) => /=.
apply: (@eq_trans _ _ (f 0)); last first.
  by rewrite /f cos0 sin0 Rtrigo_def.cos_0 Rtrigo_def.sin_0 !(subrr, expr0n, addr0).
apply: is_derive_0_is_cst => {}x.
apply: trigger_derive; rewrite /GRing.scale /=.
by to_std; ring.
Qed.

Lemma RcosE (x : R) : Rtrigo_def.cos x = cos x.
Proof.
have /eqP := Rcos_sin_sq x.
rewrite paddr_eq0 => [/andP[]||]; try exact: sqr_ge0.
by rewrite sqrf_eq0 subr_eq0 => /eqP.
Qed.

Lemma RsinE (x : R) : Rtrigo_def.sin x = sin x.
Proof.
have /eqP := Rcos_sin_sq x.
rewrite paddr_eq0 => [/andP[_]||]; try exact: sqr_ge0.
by rewrite sqrf_eq0 subr_eq0 => /eqP.
Qed.

(** [PI / 2] and [pi / 2] are both the zero of cosine in [[0, 2]]. *)
Lemma two_neq0 : (2%:R : R) != 0. Proof. by rewrite pnatr_eq0. Qed.

Lemma PIE : PI = pi.
Proof.
have h : PI / 2%:R = pi / 2%:R.
  apply: cos_02_uniq.
  - have := PI_RGT_0; have := PI_4.
    move=> h4 h0.
    rewrite -RdivE ?two_neq0//; apply/andP; split; apply/RleP; to_std; lra.
  - by rewrite -RcosE -RdivE ?two_neq0// -[2%:R]/(IZR 2) cos_PI2.
  - by case: (@pihalf_02_cos_pihalf R).
  - by case: (@pihalf_02_cos_pihalf R).
by have := congr1 (fun y => y * 2%:R) h; rewrite !divfK ?two_neq0.
Qed.

Local Instance is_derive_Rexp (x : R) :
  is_derive x 1 (Rtrigo_def.exp : R -> R) (Rtrigo_def.exp x).
Proof. exact/is_derive_std/derivable_pt_lim_exp. Qed.

(** [exp x * expR (- x)] has derivative zero, and is [1] at [0]. *)
Lemma RexpE (x : R) : Rtrigo_def.exp x = expR x.
Proof.
have c : Rtrigo_def.exp x * expR (- x) = Rtrigo_def.exp 0 * expR (- 0).
  apply: (@is_derive_0_is_cst _ (fun y => Rtrigo_def.exp y * expR (- y))) => {}y.
  apply: trigger_derive.
  by rewrite /GRing.scale /= mulrN1 mulrN mulrC addrC subrr.
move: c; rewrite oppr0 expR0 Rtrigo_def.exp_0 mulr1 expRN => /(congr1 (fun z => z * expR x)).
by rewrite mul1r mulfVK // gt_eqF // expR_gt0.
Qed.

(** * The two Gaussian densities agree *)

Lemma stochastic_gauss_pdfE (m s x : R) : 0 < s ->
  Stochastic.gauss_pdf m s x = Gaussian.gauss_pdf m s x.
Proof.
move=> s0; have sn0 : s != 0 by rewrite gt_eqF.
rewrite gauss_pdfE // /gauss_const -PIE -RsqrtE; last first.
  by rewrite mulr_ge0 // ?ler0n // PIE pi_ge0.
rewrite -RexpE /Stochastic.gauss_pdf.
have c0 : s * R_sqrt.sqrt (2%:R * PI) != 0.
  rewrite mulf_neq0 // RsqrtE PIE; last by rewrite mulr_ge0 ?ler0n ?pi_ge0.
  by rewrite gt_eqF // sqrtr_gt0 mulr_gt0 ?ltr0n ?pi_gt0.
rewrite -(RdivE _ two_neq0) -(RdivE _ sn0) -(RdivE _ c0) -RpowE.
to_std.
have sn0' : s <> 0%R by apply/eqP.
f_equal; first (f_equal; field; exact: sn0').
Qed.

(** * Integrals against the density: [Lint] is [gauss_expect] *)

Lemma stochastic_gauss_pdf_eq (m s : R) : 0 < s ->
  Stochastic.gauss_pdf m s = Gaussian.gauss_pdf m s.
Proof. by move=> s0; apply: funext => x; exact: stochastic_gauss_pdfE. Qed.

Lemma Lint_gauss_r (m s : R) (h : R -> R) : 0 < s ->
  Stochastic.Lint (fun x => h x * Stochastic.gauss_pdf m s x) = gauss_expect m s h.
Proof. by move=> s0; rewrite stochastic_gauss_pdf_eq. Qed.

Lemma Lint_gauss (m s : R) (h : R -> R) : 0 < s ->
  Stochastic.Lint (fun x => Stochastic.gauss_pdf m s x * h x) = gauss_expect m s h.
Proof.
move=> s0; rewrite -Lint_gauss_r //; congr Stochastic.Lint.
by apply: funext => x; rewrite mulrC.
Qed.

Lemma Lintegrable_gauss_r (m s : R) (h : R -> R) : 0 < s ->
  Stochastic.Lintegrable (fun x => h x * Stochastic.gauss_pdf m s x) <->
  gauss_integrable m s h.
Proof. by move=> s0; rewrite stochastic_gauss_pdf_eq. Qed.

Lemma Lintegrable_gauss (m s : R) (h : R -> R) : 0 < s ->
  Stochastic.Lintegrable (fun x => Stochastic.gauss_pdf m s x * h x) <->
  gauss_integrable m s h.
Proof.
move=> s0; rewrite -Lintegrable_gauss_r //.
by rewrite (_ : (fun x => _) = (fun x => h x * Stochastic.gauss_pdf m s x)) //;
  apply: funext => x; rewrite mulrC.
Qed.

(** * The facts in the notation of the graph semantics (Stdlib [R]) *)

Section stdlib_statements.
Local Open Scope R_scope.
Local Notation R := Rdefinitions.R.

Lemma stochastic_gauss_pdfE_R (m s x : R) : 0 < s ->
  Stochastic.gauss_pdf m s x = Gaussian.gauss_pdf m s x.
Proof. by move=> /RltP; exact: stochastic_gauss_pdfE. Qed.

(** Integrability of the density times a continuous function of at most
    exponential growth. *)

Theorem stochastic_gauss_integrable_exp (m s C a : R) (h : R -> R) : 0 < s ->
  (forall x, continuity_pt h x) ->
  (forall x, Rabs (h x) <= C * exp (a * Rabs x)) ->
  Stochastic.Lintegrable (fun x => Stochastic.gauss_pdf m s x * h x).
Proof.
move=> /RltP s0 ch hb; apply/(Lintegrable_gauss m s h s0).
apply: (@gauss_integrable_expR m s C a) => //.
  apply: continuous_measurable_fun => x.
  exact: (proj1 (continuity_ptE _ _) (ch x)).
by move=> x; rewrite -RexpE; apply/RleP; exact: hb.
Qed.

Lemma stochastic_gauss_integrable (m s : R) : 0 < s ->
  Stochastic.Lintegrable (Stochastic.gauss_pdf m s).
Proof.
move=> s0.
have := @stochastic_gauss_integrable_exp m s 1 0 (fun=> 1) s0.
rewrite (_ : (fun x => Stochastic.gauss_pdf m s x * 1) = Stochastic.gauss_pdf m s); last first.
  by apply: funext => x; rewrite Rmult_1_r.
apply; first by move=> x; exact: continuity_pt_const.
by move=> x; rewrite Rmult_0_l exp_0 Rmult_1_r Rabs_R1; exact: Rle_refl.
Qed.

(** Mass one, mean [m], variance [s^2], second moment [s^2 + m^2]. *)
Theorem stochastic_gauss_mass (m s : R) : 0 < s ->
  Stochastic.Lint (Stochastic.gauss_pdf m s) = 1.
Proof.
move=> /RltP s0; transitivity (gauss_mass m s); last exact: gauss_mass_one.
rewrite /gauss_mass -(Lint_gauss m s (fun=> 1) s0).
by congr Stochastic.Lint; apply: funext => x; rewrite -RmultE Rmult_1_r.
Qed.

Theorem stochastic_gauss_mean (m s : R) : 0 < s ->
  Stochastic.Lint (fun x => x * Stochastic.gauss_pdf m s x) = m.
Proof.
move=> /RltP s0; rewrite (Lint_gauss_r m s (fun x => x) s0).
exact: gauss_mean.
Qed.

Theorem stochastic_gauss_variance (m s : R) : 0 < s ->
  Stochastic.Lint (fun x => (x - m) ^ 2 * Stochastic.gauss_pdf m s x) = s ^ 2.
Proof.
move=> /RltP s0; rewrite (Lint_gauss_r m s (fun x => (x - m) ^ 2) s0) RpowE.
rewrite -(gauss_variance m s0); apply: gauss_expect_ext => x.
by rewrite RpowE.
Qed.

Theorem stochastic_gauss_mean_l (m s : R) : 0 < s ->
  Stochastic.Lint (fun x => Stochastic.gauss_pdf m s x * x) = m.
Proof.
move=> /RltP s0; rewrite (Lint_gauss m s (fun x => x) s0).
exact: gauss_mean.
Qed.

Theorem stochastic_gauss_variance_l (m s : R) : 0 < s ->
  Stochastic.Lint (fun x => Stochastic.gauss_pdf m s x * ((x - m) * (x - m))) =
  s * s.
Proof.
move=> /RltP s0; rewrite (Lint_gauss m s (fun x => (x - m) * (x - m)) s0).
rewrite (_ : s * s = s ^+ 2); last by rewrite expr2.
by rewrite -(gauss_variance m s0); apply: gauss_expect_ext => x; rewrite expr2.
Qed.

Theorem stochastic_gauss_second_moment (m s : R) : 0 < s ->
  Stochastic.Lint (fun x => Stochastic.gauss_pdf m s x * (x * x)) =
  s * s + m * m.
Proof.
move=> /RltP s0; rewrite (Lint_gauss m s (fun x => x * x) s0).
have -> : gauss_expect m s (fun x => x * x) = gauss_expect m s (fun x => x ^+ 2).
  by apply: gauss_expect_ext => x; rewrite expr2.
by rewrite gauss_second_moment // !expr2.
Qed.

(** The same facts for a single Gaussian draw of the graph semantics. *)
Corollary expect_gauss_draw_mass (m s : R) : 0 < s ->
  Stochastic.expect (fun=> 1)
    (Stochastic.Draw (Stochastic.gauss_pdf m s) Stochastic.Ret) = 1.
Proof.
move=> s0; transitivity (Stochastic.Lint (Stochastic.gauss_pdf m s)).
  by rewrite /=; congr Stochastic.Lint; apply: funext => x; rewrite Rmult_1_r.
exact: stochastic_gauss_mass.
Qed.

Corollary expect_gauss_draw_mean (m s : R) : 0 < s ->
  Stochastic.expect (fun x => x)
    (Stochastic.Draw (Stochastic.gauss_pdf m s) Stochastic.Ret) = m.
Proof. exact: stochastic_gauss_mean_l. Qed.

Corollary expect_gauss_draw_sq (m s : R) : 0 < s ->
  Stochastic.expect (fun x => x * x)
    (Stochastic.Draw (Stochastic.gauss_pdf m s) Stochastic.Ret) = s * s + m * m.
Proof. exact: stochastic_gauss_second_moment. Qed.

Lemma Rabs_le_exp_abs (x : R) : Rabs x <= exp (Rabs x).
Proof. have := exp_ineq1_le (Rabs x); lra. Qed.

Lemma one_sq_le_exp (x : R) : 1 + x * x <= exp (2 * Rabs x).
Proof.
have e1 := exp_ineq1_le (Rabs x).
have a0 := Rabs_pos x.
have -> : 2 * Rabs x = Rabs x + Rabs x by ring.
rewrite exp_plus.
have sq : x * x = Rabs x * Rabs x.
  by rewrite -Rabs_mult Rabs_pos_eq //; apply: Rle_0_sqr.
rewrite sq; nra.
Qed.

Lemma stochastic_gauss_integrable_id (m s : R) : 0 < s ->
  Stochastic.Lintegrable (fun x => Stochastic.gauss_pdf m s x * x).
Proof.
move=> s0; apply: (@stochastic_gauss_integrable_exp m s 1 1) => //.
  by move=> x; exact: (derivable_continuous_pt _ _ (derivable_pt_id x)).
by move=> x; rewrite !Rmult_1_l; exact: Rabs_le_exp_abs.
Qed.

(** A Gaussian density times a continuous function of growth at most
    [(1 + x^2)^2] is integrable (from Gaussian.v's [gauss_integrable_expR]). *)
Theorem stochastic_gauss_poly_integrable (m s : R) (P : R -> R) (C : R) :
  0 < s -> (forall x, continuity_pt P x) ->
  (forall x, Rabs (P x) <= C * ((1 + x * x) * (1 + x * x))) ->
  Stochastic.Lintegrable (fun x => Stochastic.gauss_pdf m s x * P x).
Proof.
move=> s0 cP bP; apply: (@stochastic_gauss_integrable_exp m s C (IZR 4)) => // x.
apply: (Rle_trans _ _ _ (bP x)).
have C0 : 0 <= C.
  have := bP 0; have := Rabs_pos (P 0); rewrite Rmult_0_l Rplus_0_r Rmult_1_l; lra.
have q0 : 0 <= 1 + x * x by have := Rle_0_sqr x; rewrite /Rsqr; lra.
have -> : 4 * Rabs x = 2 * Rabs x + 2 * Rabs x by ring.
rewrite exp_plus; apply: Rmult_le_compat_l => //.
by apply: Rmult_le_compat => //; exact: one_sq_le_exp.
Qed.

Lemma stochastic_gauss_integrable_cpow2 (m s : R) : 0 < s ->
  Stochastic.Lintegrable (fun x => Stochastic.gauss_pdf m s x * ((x - m) * (x - m))).
Proof.
move=> /RltP s0; apply/(Lintegrable_gauss m s _ s0).
have := gauss_integrable_cpow m 2 s0.
by rewrite (_ : (fun x => _) = (fun x => (x - m) * (x - m))) //; apply: funext => x; rewrite expr2.
Qed.

Lemma stochastic_gauss_integrable_sq (m s : R) : 0 < s ->
  Stochastic.Lintegrable (fun x => Stochastic.gauss_pdf m s x * (x * x)).
Proof.
move=> s0; apply: (@stochastic_gauss_poly_integrable m s _ 1) => //.
  move=> x; have c := derivable_continuous_pt _ _ (derivable_pt_id x).
  exact: (continuity_pt_mult id id x c c).
move=> x; rewrite Rmult_1_l Rabs_mult -Rabs_mult Rabs_pos_eq; last exact: Rle_0_sqr.
have := Rle_0_sqr x; rewrite /Rsqr; nra.
Qed.

(** One integrable function dominates [gauss_pdf m s * h] for all
    [|m| <= M] and [s1 <= s <= s2]: the dominating function of the Leibniz
    rule in UnbiasedExamples.v. *)
Theorem stochastic_gauss_uniform_dom (M s1 s2 C a : R) (h : R -> R) :
  0 < s1 -> s1 <= s2 ->
  (forall x, Rabs (h x) <= C * exp (a * Rabs x)) ->
  exists G : R -> R, Stochastic.Lintegrable G /\
    forall m s x, Rabs m <= M -> s1 <= s <= s2 ->
      Rabs (Stochastic.gauss_pdf m s x * h x) <= G x.
Proof.
move=> s10' s12' hb.
have C0 : 0 <= C.
  have := hb 0; rewrite Rabs_R0 Rmult_0_r exp_0 Rmult_1_r.
  have := Rabs_pos (h 0); lra.
have /RltP s10 := s10'; have /RleP s12 := s12'; have /RleP C0' := C0.
exists (gauss_dom C a M s1 s2); split.
  exact: gauss_dom_integrable (lt_le_trans s10 s12).
move=> m s x /RleP mM [/RleP s1s /RleP ss2].
have s0 := lt_le_trans s10 s1s.
rewrite stochastic_gauss_pdfE //; apply/RleP.
apply: le_trans (@gauss_dom_le C a M s1 s2 m s x s10 s1s ss2 mM C0').
rewrite (_ : Rabs _ = `|Gaussian.gauss_pdf m s x * h x|) //.
rewrite normrM (gtr0_norm (gauss_pdf_gt0 _ _ _)) [X in (X <= _)%O]mulrC.
rewrite ler_wpmul2r //; first exact: ltW (gauss_pdf_gt0 _ _ _).
by rewrite -RexpE; apply/RleP; exact: hb.
Qed.
End stdlib_statements.
